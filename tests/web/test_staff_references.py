"""Issue 20, finding 1: staff never see a conversation credential, so cannot write or listen as a member.

The attack: a trainer read ``"conversation": "<id>"`` in the workbench's inbox; that
id is the only credential of ``POST /chat`` and ``GET /chat/flux``, so, from another
address and with no cookie, a ``POST /chat`` with it appeared in the agent's console
as the member's message, and ``/chat/flux`` streamed the agent's replies.

Here a member's conversation goes through everything staff can look at: the
workbench's inbox, decisions and story preview (a trainer), the console's queue,
the hand-off and a flag (an agent), the journal (a supervisor), with an audit line
written before references existed. No answer holds the member's id; every value
staff saw is then tried as the sender of ``POST /chat`` and ``GET /chat/flux`` from
a client with no cookie: none reaches the agent, none streams the agent's replies.
"""

from __future__ import annotations

import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from bot.agents import accounts, audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole, HandoffAuthor, HandoffKind, HandoffReason
from bot.db.models import HandoffMessage
from bot.handoffs import queue
from bot.settings import Settings
from bot.web.app import create_app
from tests.conftest import ROOT
from tests.workbench.conftest import DAY, Conversation, repo, tracker  # noqa: F401 - fixtures

PAGE = "http://127.0.0.1:8080"
SAME_ORIGIN = {"Origin": PAGE}
PASSWORD = "Relais-du-soir-2026"  # noqa: S105 - a test account
# What the widget draws: 24 random bytes, base64url (bot/web/static/chat.js, newSender).
MEMBER = secrets.token_urlsafe(24)
AGENT_REPLY = "Bonjour, je suis Alice, je regarde votre dossier."


def fake_rasa(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json=[{"recipient_id": "x", "text": "Réponse de Sésame."}])


@pytest.fixture
def app(engine: Engine, repo: Path, tracker: Engine) -> Any:  # noqa: F811 - the fixtures imported above
    shutil.copy(ROOT / "couverture.yml", repo / "couverture.yml")
    with session_scope(engine) as session:
        for login, role in (
            ("alice", AgentRole.CONSEILLER),
            ("fanny", AgentRole.FORMATEUR),
            ("sam", AgentRole.SUPERVISEUR),
        ):
            accounts.add_agent(
                session, login, PASSWORD, actor="cli:test", display_name=login.title(), role=role
            )
    settings = Settings.from_values({"RESET_URL_BASE": f"{PAGE}/reinitialiser", "WORKBENCH_ROOT": str(repo)})
    application = create_app(settings, engine, rasa_transport=httpx.MockTransport(fake_rasa))
    application.state.workbench.tracker_engine = tracker
    return application


def client_of(app: Any, login: str | None) -> TestClient:
    client = TestClient(app, base_url=PAGE)
    client.__enter__()
    if login is not None:
        answer = client.post(
            "/conseiller/connexion",
            data={"identifiant": login, "mot_de_passe": PASSWORD},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
    return client


@pytest.fixture
def clients(app: Any) -> Iterator[dict[str, TestClient]]:
    made = {
        name: client_of(app, None if name == "stranger" else name)
        for name in ("alice", "fanny", "sam", "stranger")
    }
    yield made
    for client in made.values():
        client.__exit__(None, None, None)


@pytest.fixture
def handoff_id(engine: Engine, tracker: Engine) -> int:  # noqa: F811
    """The member talked to Sésame, was not understood, asked for an agent; the agent took it."""
    chat = Conversation(tracker, MEMBER)
    chat.user(
        "mon code marche plus depuis hier",
        "nlu_fallback",
        0.3,
        [("nlu_fallback", 0.3), ("cannot_login", 0.2)],
    )
    chat.action("action_two_stage_fallback")
    chat.user("je veux parler a un conseiller", "request_human", 0.97)
    chat.action("action_request_human")
    with session_scope(engine) as session:
        handoff = queue.open_handoff(
            session,
            conversation_id=MEMBER,
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Sujets : connexion. Numéro vérifié : non.",
            transcript=[{"qui": "adherent", "texte": "je veux parler a un conseiller"}],
            now=DAY.replace(hour=10),
        )
        # A line written before references existed: it named the conversation by its id.
        audit.record(session, "fanny", AgentAction.REVIEW_DECIDED, conversation=MEMBER, event=1)
        return handoff.id


def strings_in(value: Any) -> Iterator[str]:
    """Every string and number of a JSON answer, keys included."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from strings_in(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings_in(item)
    elif value is not None:
        yield str(value)


def everything_staff_see(clients: dict[str, TestClient], handoff_id: int) -> list[httpx.Response]:
    alice, fanny, sam = clients["alice"], clients["fanny"], clients["sam"]

    def post(client: TestClient, path: str, body: dict[str, Any]) -> httpx.Response:
        answer: httpx.Response = client.post(path, json=body, headers=SAME_ORIGIN)
        assert answer.status_code == 200, (path, answer.text)
        return answer

    seen = [
        alice.get("/conseiller/api/file"),
        post(alice, f"/conseiller/api/prises-en-charge/{handoff_id}/prendre", {}),
        post(alice, f"/conseiller/api/prises-en-charge/{handoff_id}/messages", {"texte": AGENT_REPLY}),
        alice.get(f"/conseiller/api/prises-en-charge/{handoff_id}"),
        post(alice, f"/conseiller/api/prises-en-charge/{handoff_id}/signaler", {"note": "Sésame a calé"}),
        alice.get("/conseiller/"),
    ]
    inbox = fanny.get("/atelier/api/boite")
    items = inbox.json()["elements"]
    assert items, "the member's messages are in the inbox"
    reference = items[0]["conversation"]
    seen += [
        inbox,
        fanny.get("/atelier/api/boite", params={"raison": "flagged"}),
        post(
            fanny,
            "/atelier/api/boite/decision",
            {"conversation": reference, "evenement": items[0]["evenement"], "decision": "ecarter"},
        ),
        post(fanny, "/atelier/api/conversation/apercu", {"conversation": reference}),
        post(fanny, "/atelier/api/conversation/apercu", {"prise_en_charge": handoff_id}),
        fanny.get("/atelier/api/statistiques"),
        fanny.get("/atelier/"),
        fanny.get("/atelier/conversation", params={"conversation": reference}),
        fanny.get("/atelier/conversation", params={"conversation": MEMBER}),  # an old link: not echoed
        sam.get("/conseiller/api/journal"),
    ]
    for answer in seen:
        assert answer.status_code == 200, (answer.request.url, answer.text)
    return seen


def member_messages(engine: Engine) -> int:
    with session_scope(engine) as session:
        return int(
            session.scalar(
                select(func.count())
                .select_from(HandoffMessage)
                .where(HandoffMessage.author == HandoffAuthor.MEMBER)
            )
            or 0
        )


def test_no_staff_answer_holds_the_member_credential_and_nothing_staff_saw_drives_the_chat(
    engine: Engine, clients: dict[str, TestClient], handoff_id: int
) -> None:
    seen = everything_staff_see(clients, handoff_id)
    for answer in seen:
        assert MEMBER not in answer.text, answer.request.url

    journal = clients["sam"].get("/conseiller/api/journal").json()
    reference = clients["fanny"].get("/atelier/api/boite").json()["elements"][0]["conversation"]
    named = [line["detail"]["conversation"] for line in journal if "conversation" in line["detail"]]
    assert named and set(named) == {reference}  # decisions, the flag and the old line: all by reference
    held = clients["alice"].get(f"/conseiller/api/prises-en-charge/{handoff_id}").json()
    assert held["reference"] == reference  # what the agent may tell a trainer

    values = {
        value
        for answer in seen
        if answer.headers["content-type"].startswith("application/json")
        for value in strings_in(answer.json())
    }
    values |= {reference, reference.replace("-", ""), str(handoff_id)}
    stranger, before = clients["stranger"], member_messages(engine)
    for value in sorted(values):
        sent = stranger.post(
            "/chat", json={"sender": value, "message": "c'est moi l'adherent"}, headers=SAME_ORIGIN
        )
        assert sent.status_code in (200, 400), value
        assert "handoff" not in (sent.json() if sent.status_code == 200 else {}), value
        streamed = stranger.get("/chat/flux", params={"sender": value})
        assert streamed.status_code in (204, 400), value
        assert AGENT_REPLY not in streamed.text
    assert member_messages(engine) == before  # nothing reached the agent's console as the member

    # The member, with the credential only their tab holds, still reaches the agent.
    member = clients["stranger"]
    answer = member.post("/chat", json={"sender": MEMBER, "message": "merci"}, headers=SAME_ORIGIN)
    assert answer.status_code == 200 and answer.json()["handoff"]["etat"] == "en_cours"
    assert member_messages(engine) == before + 1


def test_a_reference_is_refused_as_a_sender(clients: dict[str, TestClient], handoff_id: int) -> None:
    reference = clients["fanny"].get("/atelier/api/boite").json()["elements"][0]["conversation"]
    stranger = clients["stranger"]
    for typed in (reference, reference.replace("-", ""), reference.lower()):
        answer = stranger.post("/chat", json={"sender": typed, "message": "bonjour"}, headers=SAME_ORIGIN)
        assert answer.status_code == 400
        assert stranger.get("/chat/flux", params={"sender": typed}).status_code == 400
