"""The agent acts for the member of a hand-off: the file and a new code without the number (issue 21, item 2).

A conversation that checked the member's NIR leaves its keyed hash on the hand-off;
the agent who may read the hand-off opens the member's file by the hand-off's id and
asks for a new code from there. These tests hold the promises that make it safe:
nobody else gets the file (404, as for an unknown id), the agent's hourly look-ups
and the member's daily requests count the same as by number, every step is audited
with the hand-off's id, and no answer carries the number or its hash.
Real database (SQLite and PostgreSQL), real app, no Rasa.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.exc import OperationalError

from bot.agents import accounts
from bot.agents.member_file import MEMBER_GONE, NO_VERIFIED_MEMBER
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole, HandoffKind, HandoffReason, ResetChannel
from bot.db.models import (
    AgentAuditEntry,
    HandoffMessage,
    Member,
    NirLookup,
    OutgoingEmail,
    PostalLetter,
    ResetRequest,
)
from bot.handoffs import access, queue
from bot.members.lookup import hash_nir
from bot.settings import DEFAULTS
from bot.web import member_handoff
from bot.web.deps import NOT_SIGNED_IN, WRONG_ORIGIN
from bot.web.member_file_flow import NOT_CONFIRMED
from tests.support.nirs import with_key

# The same web worker and sign-in as the look-up limit's tests (NIR key included).
from tests.web.test_console_lookup_limit import KEY, PASSWORD, SAME_ORIGIN, sign_in, worker

MEMBER_NIR = with_key("2880675114233")
OTHER_NIR = with_key("1790113055017")
MEMBER_REF = hash_nir(MEMBER_NIR, KEY)
PER_HOUR = int(DEFAULTS["AGENT_LOOKUPS_PER_HOUR"])


@pytest.fixture
def db(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        session.add_all(
            [
                Member(
                    nir_hash=MEMBER_REF,
                    first_name="Nadia",
                    last_name="Roussel",
                    email="nadia.roussel@exemple.test",
                    street="3 rue des Essais",
                    postal_code="75011",
                    city="Paris",
                ),
                Member(
                    nir_hash=hash_nir(OTHER_NIR, KEY),
                    first_name="Paul",
                    last_name="Girard",
                    email=None,
                    street="4 rue des Tests",
                    postal_code="33000",
                    city="Bordeaux",
                ),
            ]
        )
        accounts.add_agent(session, "alice", PASSWORD, actor="cli:test", display_name="Alice")
        accounts.add_agent(session, "bruno", PASSWORD, actor="cli:test", display_name="Bruno")
        accounts.add_agent(session, "sam", PASSWORD, actor="cli:test", role=AgentRole.SUPERVISEUR)
    return engine


def client_for(db: Engine, login: str) -> TestClient:
    """A web worker of the site with ``login`` signed in to the console (leave it with ``__exit__``)."""
    client = worker(db)
    client.__enter__()
    sign_in(client, login)
    return client


@pytest.fixture
def alice(db: Engine) -> Iterator[TestClient]:
    client = client_for(db, "alice")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def bruno(db: Engine) -> Iterator[TestClient]:
    client = client_for(db, "bruno")
    yield client
    client.__exit__(None, None, None)


@pytest.fixture
def sam(db: Engine) -> Iterator[TestClient]:
    client = client_for(db, "sam")
    yield client
    client.__exit__(None, None, None)


def open_handoff(
    db: Engine, conversation: str, member_ref: str | None = MEMBER_REF, kind: HandoffKind = HandoffKind.LIVE
) -> int:
    with session_scope(db) as session:
        handoff = queue.open_handoff(
            session,
            conversation_id=conversation,
            channel="web",
            kind=kind,
            reason=HandoffReason.ASKED,
            summary="Sujets : code d'accès oublié. Numéro de Sécurité sociale vérifié : oui.",
            transcript=[{"qui": "adherent", "texte": "je veux parler à un conseiller"}],
            member_ref=member_ref,
            callback_phone="0612345678" if kind == HandoffKind.CALLBACK else None,
        )
        return handoff.id


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    answer: httpx.Response = client.post(f"/conseiller/api{path}", json=body or {}, headers=SAME_ORIGIN)
    return answer


def take(client: TestClient, handoff_id: int) -> dict[str, Any]:
    answer = post(client, f"/prises-en-charge/{handoff_id}/prendre")
    assert answer.status_code == 200, answer.text
    taken: dict[str, Any] = answer.json()
    return taken


def open_file(client: TestClient, handoff_id: int) -> httpx.Response:
    return post(client, f"/prises-en-charge/{handoff_id}/adherent")


def send(
    client: TestClient, handoff_id: int, channel: str, confirmation: str | None = None
) -> httpx.Response:
    body = {"canal": channel, "confirmation": channel if confirmation is None else confirmation}
    return post(client, f"/prises-en-charge/{handoff_id}/adherent/nouveau-code", body)


def audit_lines(db: Engine, *actions: AgentAction) -> list[tuple[str, str | None, dict[str, Any]]]:
    with session_scope(db) as session:
        entries = session.scalars(
            select(AgentAuditEntry)
            .where(AgentAuditEntry.action.in_([a.value for a in actions]))
            .order_by(AgentAuditEntry.id)
        ).all()
        return [(e.actor, e.nir_hash, dict(e.detail)) for e in entries]


def assert_no_number(answer: httpx.Response) -> None:
    digits = "".join(ch for ch in answer.text if ch.isdigit())
    assert MEMBER_NIR not in digits and MEMBER_NIR[:13] not in digits
    assert MEMBER_REF not in answer.text and MEMBER_REF[:16] not in answer.text


def requests_made(db: Engine) -> int:
    with session_scope(db) as session:
        return len(session.scalars(select(ResetRequest)).all())


def test_the_agent_holding_the_chat_opens_the_members_file_without_the_number(
    db: Engine, alice: TestClient
) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0001")
    taken = take(alice, handoff_id)
    assert taken["adherent_verifie"] is True
    answer = open_file(alice, handoff_id)
    assert answer.status_code == 200, answer.text
    file = answer.json()
    assert file["nom"] == "Nadia Roussel" and file["ville"] == "Paris"
    assert file["email"] != "nadia.roussel@exemple.test" and file["email_complet"] is False
    assert file["demandes_restantes_24h"] == 3
    assert_no_number(answer)
    assert_no_number(alice.get(f"/conseiller/api/prises-en-charge/{handoff_id}"))
    lookups = audit_lines(db, AgentAction.MEMBER_LOOKUP)
    assert lookups == [
        ("alice", MEMBER_REF, {"resultat": "trouve", "email_complet": False, "prise_en_charge": handoff_id})
    ]


def test_an_email_sent_from_the_hand_off_goes_to_the_outbox_under_the_agents_name(
    db: Engine, alice: TestClient
) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0002")
    take(alice, handoff_id)
    for confirmation in ("", "oui", "courrier"):
        refused = send(alice, handoff_id, "email", confirmation)
        assert refused.status_code == 400 and refused.json() == {"error": NOT_CONFIRMED}
    assert requests_made(db) == 0

    answer = send(alice, handoff_id, "email")
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert done["resultat"] == "email_en_file"
    assert done["message"].startswith("E-mail de réinitialisation mis en file d'envoi vers")
    (line,) = done["dossier"]["demandes"]
    assert line["canal"] == "email" and line["par_conseiller"] == "alice"
    assert_no_number(answer)
    with session_scope(db) as session:
        (request,) = session.scalars(select(ResetRequest)).all()
        assert request.agent_id is not None and request.member.first_name == "Nadia"
        (email,) = session.scalars(select(OutgoingEmail)).all()
        assert email.to_address == "nadia.roussel@exemple.test"
    assert audit_lines(db, AgentAction.RESET_ON_BEHALF) == [
        ("alice", MEMBER_REF, {"canal": "email", "resultat": "email_en_file", "prise_en_charge": handoff_id})
    ]
    # Asked again while the email is on its way: nothing new, as from the file opened by number.
    assert send(alice, handoff_id, "email").json()["resultat"] == "deja_en_route"


def test_the_members_daily_limit_holds_whichever_door_the_agent_used(db: Engine, alice: TestClient) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0003")
    take(alice, handoff_id)
    by_number = post(
        alice, "/adherent/nouveau-code", {"nir": MEMBER_NIR, "canal": "courrier", "confirmation": "courrier"}
    )
    assert by_number.json()["resultat"] == "courrier_demande"
    assert send(alice, handoff_id, "email").json()["resultat"] == "email_en_file"
    with session_scope(db) as session:  # and one the member asked in the chat: 3 in 24 hours
        member = session.scalars(select(Member).where(Member.nir_hash == MEMBER_REF)).one()
        session.add(ResetRequest(member_id=member.id, channel=ResetChannel.LETTER, agent_id=None))
    limited = send(alice, handoff_id, "courrier")
    assert limited.status_code == 200 and limited.json()["resultat"] == "limite_atteinte"
    with session_scope(db) as session:
        assert len(session.scalars(select(PostalLetter)).all()) == 1
    assert open_file(alice, handoff_id).json()["demandes_restantes_24h"] == 0


def test_only_an_agent_who_may_read_the_hand_off_gets_the_file(
    db: Engine, alice: TestClient, bruno: TestClient, sam: TestClient
) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0004")
    # Waiting: nobody holds it yet, so a conseiller reads no more than the queue.
    for refused in (open_file(alice, handoff_id), send(alice, handoff_id, "email")):
        assert refused.status_code == 404 and refused.json() == {"error": access.NOT_YOURS}
    take(alice, handoff_id)
    # Held by a colleague, or an id that does not exist: the same 404.
    for refused in (
        open_file(bruno, handoff_id),
        send(bruno, handoff_id, "courrier"),
        open_file(bruno, 999_999),
    ):
        assert refused.status_code == 404 and refused.json() == {"error": access.NOT_YOURS}
        assert "Nadia" not in refused.text
    assert open_file(alice, handoff_id).status_code == 200
    # Closed: no longer the agent's; a superviseur still reads it (the email in full).
    assert post(alice, f"/prises-en-charge/{handoff_id}/fermer").status_code == 200
    assert open_file(alice, handoff_id).status_code == 404
    full = open_file(sam, handoff_id)
    assert full.status_code == 200 and full.json()["email"] == "nadia.roussel@exemple.test"
    assert requests_made(db) == 0
    # Each refusal is audited, with the hand-off's id and without a member: it reached none.
    refusals = [
        line
        for line in audit_lines(db, AgentAction.MEMBER_LOOKUP, AgentAction.RESET_ON_BEHALF)
        if line[2]["resultat"] == "prise_en_charge_introuvable"
    ]
    assert [(actor, nir_hash, d["prise_en_charge"]) for actor, nir_hash, d in refusals] == [
        ("alice", None, handoff_id),
        ("alice", None, handoff_id),
        ("bruno", None, handoff_id),
        ("bruno", None, handoff_id),
        ("bruno", None, 999_999),
        ("alice", None, handoff_id),
    ]


def test_a_waiting_call_back_opens_the_file_of_the_member_to_call(db: Engine, bruno: TestClient) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0005", kind=HandoffKind.CALLBACK)
    answer = open_file(bruno, handoff_id)
    assert answer.status_code == 200 and answer.json()["nom"] == "Nadia Roussel"
    assert post(bruno, f"/prises-en-charge/{handoff_id}/rappel", {"joint": True}).status_code == 200
    assert open_file(bruno, handoff_id).status_code == 404


def test_a_conversation_without_a_checked_number_says_what_to_do(db: Engine, alice: TestClient) -> None:
    unchecked = open_handoff(db, "membre-non-verifie-01", member_ref=None)
    assert take(alice, unchecked)["adherent_verifie"] is False
    answer = open_file(alice, unchecked)
    assert answer.status_code == 422 and answer.json() == {"error": NO_VERIFIED_MEMBER}
    assert send(alice, unchecked, "courrier").status_code == 422
    post(alice, f"/prises-en-charge/{unchecked}/fermer")

    # The member was erased from the file since the conversation checked the number.
    gone = open_handoff(db, "membre-efface-000001")
    take(alice, gone)
    with session_scope(db) as session:
        session.execute(delete(Member).where(Member.nir_hash == MEMBER_REF))
    answer = open_file(alice, gone)
    assert answer.status_code == 422 and answer.json() == {"error": MEMBER_GONE}
    assert_no_number(answer)
    results = [(d["resultat"], h) for _, h, d in audit_lines(db, AgentAction.MEMBER_LOOKUP)]
    assert results == [
        ("no_verified_member", None),
        ("unknown_member", MEMBER_REF),  # the hash the hand-off kept: a supervisor sees whose file
    ]
    assert requests_made(db) == 0


def test_the_hourly_look_up_limit_counts_both_doors(db: Engine, alice: TestClient, bruno: TestClient) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0006")
    take(alice, handoff_id)
    for n in range(PER_HOUR - 1):
        assert post(alice, "/adherent", {"nir": OTHER_NIR if n % 2 else MEMBER_NIR}).status_code == 200
    assert open_file(alice, handoff_id).status_code == 200  # the last look-up of the hour
    for refused in (open_file(alice, handoff_id), send(alice, handoff_id, "email")):
        assert refused.status_code == 429 and "Nadia" not in refused.text
        assert refused.json()["error"].startswith(f"Vous avez ouvert {PER_HOUR} dossiers en une heure")
    assert requests_made(db) == 0
    alerts = audit_lines(db, AgentAction.LOOKUP_LIMIT_REACHED)
    assert [actor for actor, _, _ in alerts] == ["alice"]
    # Another agent is not affected.
    assert post(bruno, "/adherent", {"nir": MEMBER_NIR}).status_code == 200


def test_the_console_api_documents_both_endpoints_and_no_number_field(alice: TestClient) -> None:
    paths = alice.app.openapi()["paths"]  # type: ignore[attr-defined]
    file = paths["/conseiller/api/prises-en-charge/{handoff_id}/adherent"]["post"]
    reset = paths["/conseiller/api/prises-en-charge/{handoff_id}/adherent/nouveau-code"]["post"]
    assert file["summary"] == "Le dossier de l'adhérent de la prise en charge"
    assert {"404", "422", "429"} <= set(file["responses"]) and {"400", "404"} <= set(reset["responses"])
    schemas = json.dumps(alice.app.openapi()["components"]["schemas"]["ResetForHandoff"])  # type: ignore[attr-defined]
    assert "nir" not in schemas and "member_ref" not in schemas


# --- a number the member types to the agent ------------------------------------------------


@pytest.fixture
def member_chat(db: Engine) -> Iterator[TestClient]:
    with worker(db) as client:
        yield client


def say(client: TestClient, sender: str, text: str) -> dict[str, Any]:
    answer = client.post("/chat", json={"sender": sender, "message": text}, headers=SAME_ORIGIN)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def test_a_number_typed_to_the_agent_is_checked_before_it_is_masked_and_opens_the_file(
    db: Engine, alice: TestClient, member_chat: TestClient
) -> None:
    sender = "membre-direct-AbCdEf0123456789"
    handoff_id = open_handoff(db, sender, member_ref=None)
    assert take(alice, handoff_id)["adherent_verifie"] is False
    spaced = " ".join([MEMBER_NIR[:1], MEMBER_NIR[1:5], MEMBER_NIR[5:10], MEMBER_NIR[10:]])
    nobody = with_key("1701213111222")

    # A number of nobody, then the member's: the member reads the same nothing either way.
    unknown = say(member_chat, sender, f"mon numéro est {nobody}")
    assert open_file(alice, handoff_id).status_code == 422
    known = say(member_chat, sender, f"pardon, c'est le {spaced}")
    assert known["messages"] == unknown["messages"] == []
    detail = alice.get(f"/conseiller/api/prises-en-charge/{handoff_id}").json()
    assert detail["adherent_verifie"] is True
    typed = [m["texte"] for m in detail["messages"] if m["qui"] == "adherent"]
    assert typed == ["mon numéro est [NIR masqué]", "pardon, c'est le [NIR masqué]"]
    answer = open_file(alice, handoff_id)
    assert answer.status_code == 200 and answer.json()["nom"] == "Nadia Roussel"
    assert_no_number(answer)

    # Another member's number later does not swap the file the agent may be reading.
    say(member_chat, sender, f"ou celui de mon mari {OTHER_NIR}")
    assert open_file(alice, handoff_id).json()["nom"] == "Nadia Roussel"
    with session_scope(db) as session:
        stored = " ".join(m.text for m in session.scalars(select(HandoffMessage)))
        lookups = session.scalars(select(NirLookup)).all()
    digits = "".join(ch for ch in stored if ch.isdigit())
    assert MEMBER_NIR[:13] not in digits and OTHER_NIR[:13] not in digits
    # Two look-ups, counted against the member's own limits; the third number was not looked up.
    assert [(row.nir_hash, row.outcome) for row in lookups] == [
        (hash_nir(nobody, KEY), "unknown"),
        (MEMBER_REF, "member"),
    ]


def test_a_failed_look_up_costs_the_agent_the_file_never_the_member_their_message(
    db: Engine, alice: TestClient, member_chat: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: object, **kwargs: object) -> str:
        raise OperationalError("SELECT pg_advisory_xact_lock", {}, Exception("lock timeout"))

    monkeypatch.setattr(member_handoff, "member_ref_of_typed", locked)
    sender = "membre-direct-ZyXw9876543210ab"
    handoff_id = open_handoff(db, sender, member_ref=None)
    take(alice, handoff_id)
    assert say(member_chat, sender, f"mon numéro est {MEMBER_NIR}")["handoff"]["etat"] == "en_cours"
    detail = alice.get(f"/conseiller/api/prises-en-charge/{handoff_id}").json()
    assert [m["texte"] for m in detail["messages"] if m["qui"] == "adherent"] == [
        "mon numéro est [NIR masqué]"
    ]
    assert detail["adherent_verifie"] is False


@pytest.mark.parametrize(
    ("path", "body"),
    [("adherent", {}), ("adherent/nouveau-code", {"canal": "courrier", "confirmation": "courrier"})],
)
def test_no_session_no_other_page_and_no_trainer_reach_the_file(
    db: Engine, alice: TestClient, member_chat: TestClient, path: str, body: dict[str, Any]
) -> None:
    handoff_id = open_handoff(db, "membre-verifie-0007")
    take(alice, handoff_id)
    url = f"/conseiller/api/prises-en-charge/{handoff_id}/{path}"
    without_session = member_chat.post(url, json=body, headers=SAME_ORIGIN)
    assert without_session.status_code == 401 and without_session.json() == {"error": NOT_SIGNED_IN}
    for origin in ({"Origin": "https://pirate.example"}, {}):
        answer = alice.post(url, json=body, headers=origin)
        assert answer.status_code == 403 and answer.json() == {"error": WRONG_ORIGIN}
    with session_scope(db) as session:
        accounts.add_agent(session, "fanny", PASSWORD, actor="cli:test", role=AgentRole.FORMATEUR)
    trainer = client_for(db, "fanny")
    try:
        assert trainer.post(url, json=body, headers=SAME_ORIGIN).status_code == 403
    finally:
        trainer.__exit__(None, None, None)
    assert requests_made(db) == 0
    assert audit_lines(db, AgentAction.MEMBER_LOOKUP, AgentAction.RESET_ON_BEHALF) == []
