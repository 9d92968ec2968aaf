"""Hand-offs through the web tier: a silent bot while an agent holds the chat, the push stream, the queue.

Real database (SQLite and PostgreSQL); a stand-in for Rasa records whether it was
asked anything. The whole stack, with the real bot opening the hand-off, is in
tests/e2e/test_handoff_stack.py and the two browsers in tests/browser/test_handoff.py.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole, HandoffKind, HandoffReason, HandoffState
from bot.db.models import AgentAuditEntry, Handoff, HandoffMessage, ReviewFlag
from bot.handoffs import queue
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.deps import POLL_HEADER
from bot.web.routes import live

PAGE = "http://127.0.0.1:8080"
SAME_ORIGIN = {"Origin": PAGE}
PASSWORD = "Relais-du-soir-2026"  # noqa: S105 - a test account
MEMBER = "membre-AbCdEfGh12345678"
OTHER_MEMBER = "autre-ZyXwVuTs98765432"
SECRET = "mon numero 2 91 09 75 006 373 88"  # noqa: S105 - a generated test NIR


class FakeRasa:
    def __init__(self) -> None:
        self.asked: list[dict[str, Any]] = []
        self.during_turn: Callable[[], object] | None = None  # what the action server does
        self.headers: dict[str, str] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.asked.append(json.loads(request.content))
        if self.during_turn is not None:
            self.during_turn()
        body = [{"recipient_id": "x", "text": "Réponse de Sésame."}]
        return httpx.Response(200, json=body, headers=self.headers)


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def db(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        accounts.add_agent(session, "alice", PASSWORD, actor="cli:test", display_name="Alice")
        accounts.add_agent(session, "bruno", PASSWORD, actor="cli:test", display_name="Bruno")
    return engine


def make_app(db: Engine, rasa: FakeRasa) -> Any:
    app = create_app(Settings.from_values({}), db, rasa_transport=httpx.MockTransport(rasa.handle))
    # No conversation store here: the widget is simply not asked « Cette réponse vous a aidé ? ».
    app.state.workbench.tracker_engine = db
    return app


@pytest.fixture
def member(db: Engine, rasa: FakeRasa) -> Iterator[TestClient]:
    with TestClient(make_app(db, rasa), base_url=PAGE) as client:
        yield client


def agent_client(db: Engine, rasa: FakeRasa, login: str) -> TestClient:
    client = TestClient(make_app(db, rasa), base_url=PAGE)
    client.__enter__()
    answer = client.post(
        "/conseiller/connexion",
        data={"identifiant": login, "mot_de_passe": PASSWORD},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303
    return client


@pytest.fixture
def alice(db: Engine, rasa: FakeRasa) -> Iterator[TestClient]:
    client = agent_client(db, rasa, "alice")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def bruno(db: Engine, rasa: FakeRasa) -> Iterator[TestClient]:
    client = agent_client(db, rasa, "bruno")
    yield client
    client.__exit__(None, None, None)


def open_live(db: Engine, conversation: str = MEMBER) -> int:
    with session_scope(db) as session:
        handoff = queue.open_handoff(
            session,
            conversation_id=conversation,
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Sujets : code d'accès oublié. Numéro vérifié : non.",
            transcript=[{"qui": "adherent", "texte": "je veux parler à un conseiller"}],
        )
        return handoff.id


def chat(client: TestClient, text: str, sender: str = MEMBER) -> dict[str, Any]:
    answer = client.post("/chat", json={"sender": sender, "message": text}, headers=SAME_ORIGIN)
    assert answer.status_code == 200
    body: dict[str, Any] = answer.json()
    return body


def api(client: TestClient, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    if body is None:
        answer: httpx.Response = client.get(f"/conseiller/api{path}")
    else:
        answer = client.post(f"/conseiller/api{path}", json=body, headers=SAME_ORIGIN)
    return answer


def read_events(
    client: TestClient, sender: str, stop_after: int, headers: dict[str, str] | None = None
) -> list[tuple[str, Any]]:
    """The first ``stop_after`` events of the member's push stream."""
    events: list[tuple[str, Any]] = []
    with client.stream("GET", "/chat/flux", params={"sender": sender}, headers=headers or {}) as stream:
        assert stream.status_code == 200
        assert stream.headers["content-type"].startswith("text/event-stream")
        name = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[len("event: ") :]
            elif line.startswith("data: "):
                events.append((name, json.loads(line[len("data: ") :])))
                if len(events) >= stop_after:
                    break
    return events


# --- the bot is silent while an agent holds the conversation ---------------------------


def test_without_a_hand_off_the_message_goes_to_the_bot(member: TestClient, rasa: FakeRasa) -> None:
    reply = chat(member, "bonjour")
    assert reply == {"messages": [{"text": "Réponse de Sésame.", "buttons": []}]}
    assert len(rasa.asked) == 1


def test_while_waiting_and_while_held_the_bot_says_nothing_then_resumes_after_close(
    member: TestClient, alice: TestClient, rasa: FakeRasa, db: Engine
) -> None:
    handoff_id = open_live(db)
    waiting = chat(member, "vous êtes là ?")
    assert waiting["handoff"]["etat"] == "attente" and waiting["handoff"]["position"] == 1
    assert "vous êtes n° 1 dans la file" in waiting["messages"][0]["text"]
    assert api(alice, f"/prises-en-charge/{handoff_id}/prendre", {}).status_code == 200
    held = chat(member, SECRET)
    assert held == {
        "messages": [],
        "handoff": {"id": handoff_id, "etat": "en_cours", "position": 0, "conseiller": "Alice"},
    }
    assert rasa.asked == []  # the bot was never asked
    detail = api(alice, f"/prises-en-charge/{handoff_id}").json()
    member_lines = [m["texte"] for m in detail["messages"] if m["qui"] == "adherent"]
    assert member_lines[0] == "vous êtes là ?"
    assert "2 91 09 75 006 373 88" not in json.dumps(detail) and member_lines[1] == "mon numero [NIR masqué]"
    assert api(alice, f"/prises-en-charge/{handoff_id}/fermer", {}).status_code == 200
    after = chat(member, "merci")
    assert after["messages"][0]["text"] == "Réponse de Sésame." and "handoff" not in after
    assert len(rasa.asked) == 1


def test_the_push_stream_brings_the_agents_messages_and_the_close(
    member: TestClient, alice: TestClient, db: Engine
) -> None:
    handoff_id = open_live(db)
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    sent = api(
        alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": "<b>Bonjour</b>, je suis Alice."}
    ).json()
    api(alice, f"/prises-en-charge/{handoff_id}/fermer", {})
    events = read_events(member, MEMBER, stop_after=4)
    names = [name for name, _ in events]
    assert names == ["message", "message", "message", "etat"]
    texts = [data["texte"] for name, data in events if name == "message"]
    assert texts[0] == "Alice, conseiller(ère) ACS, a rejoint la conversation."
    assert texts[1] == "<b>Bonjour</b>, je suis Alice."  # text, as typed: the widget shows it as text
    assert events[1][1]["qui"] == "conseiller" and events[1][1]["id"] == sent["id"]
    assert texts[2].startswith("Le conseiller a terminé la conversation. Sésame reprend la main")
    assert events[3][1]["etat"] == "terminee"
    # Once closed and read, the stream answers 204: EventSource stops reconnecting.
    last = str(events[2][1]["id"])
    assert (
        member.get("/chat/flux", params={"sender": MEMBER}, headers={"Last-Event-ID": last}).status_code
        == 204
    )


def test_a_member_only_ever_sees_their_own_conversation(
    member: TestClient, alice: TestClient, db: Engine
) -> None:
    handoff_id = open_live(db)
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    api(alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": "message pour le premier adhérent"})
    assert member.get("/chat/flux", params={"sender": OTHER_MEMBER}).status_code == 204
    for bad in ("", "court", "../../etc", "a" * 65, "membre AbCdEfGh12345678"):
        assert member.get("/chat/flux", params={"sender": bad}).status_code in (400, 422)
    reply = chat(member, "bonjour", sender=OTHER_MEMBER)
    assert "handoff" not in reply


def test_the_stream_resumes_after_a_restart_of_the_web_tier(
    db: Engine, rasa: FakeRasa, alice: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The test client never says the browser went away: each stream ends on its own, quickly.
    monkeypatch.setattr(live, "STREAM_SECONDS", 0.5)
    handoff_id = open_live(db)
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    first = api(alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": "premier message"}).json()
    with TestClient(make_app(db, rasa), base_url=PAGE) as before_restart:
        seen = read_events(before_restart, MEMBER, stop_after=3)
        assert [data.get("texte") for _, data in seen][1] == "premier message"
    # A new web process (nothing in memory): the same hand-off, from the last event the browser saw.
    api(alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": "après le redémarrage"})
    with TestClient(make_app(db, rasa), base_url=PAGE) as after_restart:
        resumed = read_events(
            after_restart, MEMBER, stop_after=2, headers={"Last-Event-ID": str(first["id"])}
        )
        assert resumed[0] == (
            "message",
            {"id": first["id"] + 1, "qui": "conseiller", "texte": "après le redémarrage"},
        )
        assert resumed[1][0] == "etat" and resumed[1][1]["etat"] == "en_cours"
        assert chat(after_restart, "toujours là")["handoff"]["etat"] == "en_cours"


# --- the queue --------------------------------------------------------------------------


def test_two_agents_racing_to_take_one_hand_off(
    db: Engine, rasa: FakeRasa, alice: TestClient, bruno: TestClient
) -> None:
    handoff_id = open_live(db)
    barrier = threading.Barrier(2)
    results: dict[str, int] = {}

    def race(name: str, client: TestClient) -> None:
        barrier.wait()
        results[name] = api(client, f"/prises-en-charge/{handoff_id}/prendre", {}).status_code

    threads = [threading.Thread(target=race, args=(n, c)) for n, c in (("alice", alice), ("bruno", bruno))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 409]
    with session_scope(db) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None and handoff.state == HandoffState.ACTIVE
        taken = session.scalars(select(HandoffMessage).where(HandoffMessage.handoff_id == handoff_id)).all()
        assert len(taken) == 1  # one "a rejoint la conversation", not two
    loser = "alice" if results["alice"] == 409 else "bruno"
    loser_client = alice if loser == "alice" else bruno
    refused = api(loser_client, f"/prises-en-charge/{handoff_id}/messages", {"texte": "moi aussi"})
    assert refused.status_code == 409 and refused.json()["error"] == "Vous ne tenez pas cette conversation."


def test_the_queue_shows_ages_and_counts_and_transfer_and_close_are_audited(
    db: Engine, alice: TestClient, bruno: TestClient
) -> None:
    assert api(alice, "/file").json()["en_attente"] == 0
    handoff_id = open_live(db)
    view = api(bruno, "/file").json()
    assert view["en_attente"] == 1 and view["disponible"] is False
    (item,) = view["elements"]
    assert (
        item["type"] == "discussion" and item["etat"] == "en_attente" and item["resume"].startswith("Sujets")
    )
    assert api(alice, "/disponibilite", {"disponible": True}).json() == {"disponible": True}
    assert api(bruno, "/file").json()["conseillers_disponibles"] == 1
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    moved = api(alice, f"/prises-en-charge/{handoff_id}/transferer", {"conseiller": "bruno"})
    assert moved.status_code == 200 and moved.json()["element"]["conseiller"] == "Bruno"
    assert api(alice, f"/prises-en-charge/{handoff_id}/fermer", {}).status_code == 409
    assert (
        api(bruno, f"/prises-en-charge/{handoff_id}/transferer", {"conseiller": "personne"}).status_code
        == 422
    )
    assert api(bruno, f"/prises-en-charge/{handoff_id}/fermer", {}).status_code == 200
    with session_scope(db) as session:
        actions = [
            (e.actor, e.action)
            for e in session.scalars(select(AgentAuditEntry).order_by(AgentAuditEntry.id))
            if e.action not in (AgentAction.AGENT_ADDED, AgentAction.SIGN_IN)
        ]
    assert actions == [
        ("alice", "availability_changed"),
        ("alice", "handoff_taken"),
        ("alice", "handoff_read"),  # the transcript came with the take
        ("alice", "handoff_transferred"),
        ("bruno", "handoff_closed"),
    ]


def test_call_backs_are_marked_done_or_unreachable(db: Engine, alice: TestClient) -> None:
    with session_scope(db) as session:
        ids = [
            queue.open_handoff(
                session,
                conversation_id=f"rappel-{n}-AbCdEfGhIjKl",
                channel="web",
                kind=HandoffKind.CALLBACK,
                reason=HandoffReason.ASKED,
                summary="Rappel demandé.",
                transcript=[],
                callback_phone="0612345678",
                callback_slot="Le matin",
            ).id
            for n in range(2)
        ]
    items = api(alice, "/file").json()["elements"]
    assert [i["telephone"] for i in items] == ["06 •• •• •• 78", "06 •• •• •• 78"]
    assert (
        api(alice, f"/prises-en-charge/{ids[0]}/prendre", {}).status_code == 409
    )  # a call-back is not taken
    assert (
        api(alice, f"/prises-en-charge/{ids[0]}/rappel", {"joint": True}).json()["element"]["etat"]
        == "rappel_fait"
    )
    assert (
        api(alice, f"/prises-en-charge/{ids[1]}/rappel", {"joint": False}).json()["element"]["etat"]
        == "injoignable"
    )
    assert api(alice, f"/prises-en-charge/{ids[1]}/rappel", {"joint": True}).status_code == 409
    assert api(alice, "/file").json()["elements"] == []


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/file", None),
        ("POST", "/disponibilite", {"disponible": True}),
        ("GET", "/prises-en-charge/1", None),
        ("POST", "/prises-en-charge/1/prendre", {}),
        ("POST", "/prises-en-charge/1/messages", {"texte": "bonjour"}),
        ("POST", "/prises-en-charge/1/transferer", {"conseiller": "bruno"}),
        ("POST", "/prises-en-charge/1/fermer", {}),
        ("POST", "/prises-en-charge/1/rappel", {"joint": True}),
        ("GET", "/conseillers", None),
    ],
)
def test_every_queue_action_needs_an_agent_session(
    member: TestClient, db: Engine, method: str, path: str, body: dict[str, Any] | None
) -> None:
    open_live(db)
    assert api(member, path, body).status_code == 401
    with session_scope(db) as session:
        handoff = session.scalars(select(Handoff)).one()
        assert handoff.state == HandoffState.WAITING and handoff.agent_id is None


def test_an_agent_message_is_text_only_and_bounded(db: Engine, alice: TestClient) -> None:
    handoff_id = open_live(db)
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    assert api(alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": "   "}).status_code == 409
    assert api(alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": "x" * 2001}).status_code == 400
    assert (
        api(alice, f"/prises-en-charge/{handoff_id}/messages", {"texte": {"html": "<b>"}}).status_code == 400
    )


def test_an_agent_flags_a_conversation_for_the_trainers(
    db: Engine, alice: TestClient, member: TestClient
) -> None:
    handoff_id = open_live(db)
    assert api(member, f"/prises-en-charge/{handoff_id}/signaler", {}).status_code == 401
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    answer = api(alice, f"/prises-en-charge/{handoff_id}/signaler", {"note": "Sésame n'a pas compris"})
    assert answer.status_code == 200
    with session_scope(db) as session:
        (flag,) = session.scalars(select(ReviewFlag)).all()
        assert (flag.conversation_id, flag.agent_login) == (MEMBER, "alice")
        flagged = session.scalars(
            select(AgentAuditEntry).where(AgentAuditEntry.action == AgentAction.REVIEW_FLAGGED)
        ).one()
        reference = alice.app.state.web.refs.of(MEMBER)  # type: ignore[attr-defined]
        assert flagged.detail == {"conversation": reference}  # supervisors read the log: no id in it
    assert api(alice, "/prises-en-charge/999999/signaler", {}).status_code == 404


def test_only_the_holder_or_a_superviseur_flags_a_conversation(
    db: Engine, alice: TestClient, bruno: TestClient, sophie: TestClient
) -> None:
    """Before, any agent could push any hand-off (a colleague's, a waiting one) into the trainers' inbox."""
    waiting = open_live(db)
    assert api(alice, f"/prises-en-charge/{waiting}/signaler", {}).status_code == 404
    api(alice, f"/prises-en-charge/{waiting}/prendre", {})
    assert api(bruno, f"/prises-en-charge/{waiting}/signaler", {}).status_code == 404
    with session_scope(db) as session:
        assert session.scalars(select(ReviewFlag)).all() == []
    api(alice, f"/prises-en-charge/{waiting}/fermer", {})
    assert api(alice, f"/prises-en-charge/{waiting}/signaler", {}).status_code == 200
    assert api(sophie, f"/prises-en-charge/{waiting}/signaler", {}).status_code == 200
    with session_scope(db) as session:
        assert sorted(flag.agent_login for flag in session.scalars(select(ReviewFlag))) == ["alice", "sophie"]


# Issue 20 #7: before, any agent read any hand-off in full (a colleague's chat, a closed one, a number).

PHONE = "0612345678"


@pytest.fixture
def sophie(db: Engine, rasa: FakeRasa) -> Iterator[TestClient]:
    with session_scope(db) as session:
        accounts.add_agent(
            session, "sophie", PASSWORD, actor="cli:test", display_name="Sophie", role=AgentRole.SUPERVISEUR
        )
    client = agent_client(db, rasa, "sophie")
    yield client
    client.__exit__(None, None, None)


def open_callback_with_transcript(db: Engine) -> int:
    with session_scope(db) as session:
        return queue.open_handoff(
            session,
            conversation_id="rappel-AbCdEfGhIjKl",
            channel="web",
            kind=HandoffKind.CALLBACK,
            reason=HandoffReason.ASKED,
            summary="Rappel demandé.",
            transcript=[{"qui": "adherent", "texte": "rappelez-moi"}],
            callback_phone=PHONE,
            callback_slot="Le matin",
        ).id


def reads(db: Engine, actor: str) -> list[AgentAuditEntry]:
    with session_scope(db) as session:
        lines = select(AgentAuditEntry).where(AgentAuditEntry.actor == actor)
        found = session.scalars(lines.where(AgentAuditEntry.action == AgentAction.HANDOFF_READ.value)).all()
        session.expunge_all()
        return list(found)


def test_a_conseiller_cannot_read_a_colleagues_chat(
    db: Engine, alice: TestClient, bruno: TestClient, sophie: TestClient
) -> None:
    handoff_id = open_live(db)
    assert api(alice, f"/prises-en-charge/{handoff_id}/prendre", {}).status_code == 200
    refused = api(bruno, f"/prises-en-charge/{handoff_id}")
    assert refused.status_code == 404
    assert "conseiller" not in refused.text and "vôtre" in refused.json()["error"]
    # Same answer as an id that does not exist (ids cannot be enumerated).
    assert api(bruno, "/prises-en-charge/999999").json() == refused.json()
    # The queue tells Bruno the chat is Alice's, not what it is about.
    item = next(i for i in api(bruno, "/file").json()["elements"] if i["id"] == handoff_id)
    assert item["conseiller"] == "Alice" and "code d'accès" not in item["resume"]
    # Alice and a superviseur read it.
    assert api(alice, f"/prises-en-charge/{handoff_id}").json()["transcription"]
    assert api(sophie, f"/prises-en-charge/{handoff_id}").json()["transcription"]


def test_a_closed_chat_is_the_superviseurs_only(db: Engine, alice: TestClient, sophie: TestClient) -> None:
    handoff_id = open_live(db)
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    closed = api(alice, f"/prises-en-charge/{handoff_id}/fermer", {}).json()
    assert closed["transcription"] == [] and closed["messages"] == []
    assert api(alice, f"/prises-en-charge/{handoff_id}").status_code == 404
    assert api(sophie, f"/prises-en-charge/{handoff_id}").json()["transcription"]


def test_a_waiting_chat_is_read_by_taking_it(db: Engine, alice: TestClient) -> None:
    handoff_id = open_live(db)
    assert api(alice, f"/prises-en-charge/{handoff_id}").status_code == 404
    item = next(i for i in api(alice, "/file").json()["elements"] if i["id"] == handoff_id)
    assert "code d'accès" in item["resume"]  # enough to decide to take it
    assert api(alice, f"/prises-en-charge/{handoff_id}/prendre", {}).json()["transcription"]


def test_call_back_numbers_are_masked_in_the_queue_and_read_only_while_waiting(
    db: Engine, alice: TestClient, bruno: TestClient, sophie: TestClient
) -> None:
    handoff_id = open_callback_with_transcript(db)
    for client in (alice, sophie):
        listed = api(client, "/file").text
        assert PHONE not in listed and "06 •• •• •• 78" in listed
    assert api(alice, f"/prises-en-charge/{handoff_id}").json()["element"]["telephone"] == PHONE
    done = api(alice, f"/prises-en-charge/{handoff_id}/rappel", {"joint": True}).json()
    assert PHONE not in str(done)
    assert api(bruno, f"/prises-en-charge/{handoff_id}").status_code == 404
    assert api(alice, f"/prises-en-charge/{handoff_id}").status_code == 404
    assert api(sophie, f"/prises-en-charge/{handoff_id}").json()["element"]["telephone"] == PHONE


def test_reads_are_audited_once_and_polls_do_not_flood(
    db: Engine, alice: TestClient, sophie: TestClient
) -> None:
    handoff_id = open_live(db)
    phone_id = open_callback_with_transcript(db)
    api(alice, f"/prises-en-charge/{handoff_id}/prendre", {})
    for _ in range(5):
        path = f"/conseiller/api/prises-en-charge/{handoff_id}?apres=0"
        polled = alice.get(path, headers={POLL_HEADER: "1"})
        assert polled.status_code == 200
    api(alice, f"/prises-en-charge/{phone_id}")
    api(alice, f"/prises-en-charge/{phone_id}")
    alice_reads = reads(db, "alice")
    assert {line.detail["prise_en_charge"] for line in alice_reads} == {handoff_id, phone_id}
    assert len(alice_reads) == 2
    phone_read = next(line for line in alice_reads if line.detail["prise_en_charge"] == phone_id)
    assert phone_read.detail["telephone"] is True
    api(alice, f"/prises-en-charge/{handoff_id}/fermer", {})
    for _ in range(3):
        api(sophie, f"/prises-en-charge/{handoff_id}")
    assert [line.detail["prise_en_charge"] for line in reads(db, "sophie")] == [handoff_id]


@pytest.mark.parametrize(("actions", "shown"), [("1", True), (None, True), ("0", False)])
def test_a_hand_off_the_bot_opens_is_shown_when_its_turn_called_the_action_server(
    db: Engine, rasa: FakeRasa, member: TestClient, actions: str | None, shown: bool
) -> None:
    # Only the action server opens hand-offs: after a turn Rasa says ran no action
    # (X-Sesame-Actions: 0) the web tier does not look; without the header it does.
    rasa.during_turn = lambda: open_live(db)
    rasa.headers = {} if actions is None else {"X-Sesame-Actions": actions}
    reply = chat(member, "je veux parler à un conseiller")
    assert ("handoff" in reply) is shown
    if shown:
        assert reply["handoff"]["etat"] == "attente"
