"""Through the web tier: presence from the console's reads, and the member's way out of the queue (#21).

Real database (SQLite and PostgreSQL); a stand-in for Rasa records what it was asked
(and with which metadata). The two browsers are in tests/browser/test_handoff_presence.py.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from bot.db.engine import session_scope
from bot.db.enums import HandoffState
from bot.db.models import AgentSession, Handoff, HandoffMessage
from bot.handoffs.leaving import CALLBACK_PAYLOAD, LEAVE_PAYLOAD, Choice
from bot.handoffs.waiting import NOBODY, OFFER_TEXTS
from bot.web.member_handoff import KEPT_TEXT
from bot.web.member_leaving import (
    AGENT_HERE_TEXT,
    CALLBACK_REQUEST,
    CALLBACK_RETRY,
    LEFT_TEXTS,
    NOT_IN_QUEUE_TEXT,
)
from bot.web.routes import live
from tests.web.test_handoff_web import (  # noqa: F401 - the fixtures of the hand-off tests
    MEMBER,
    FakeRasa,
    alice,
    api,
    chat,
    db,
    member,
    open_live,
    read_events,
)


class SwitchableRasa(FakeRasa):
    """The hand-off tests' stand-in for Rasa, which can be made to fail (503)."""

    failing = False

    def handle(self, request: httpx.Request) -> httpx.Response:
        if self.failing:
            return httpx.Response(503)
        return super().handle(request)


@pytest.fixture
def rasa() -> SwitchableRasa:
    return SwitchableRasa()


def console_gone(engine: Engine, seconds: int = 120) -> None:
    """Every console's last sign of life, ``seconds`` ago (closed without signing out)."""
    long_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=seconds)
    with session_scope(engine) as session:
        session.execute(update(AgentSession).values(console_seen_at=long_ago))


@pytest.fixture
def on_duty(alice: TestClient) -> Iterator[TestClient]:  # noqa: F811 - the fixture imported above
    """Alice's console is open (it read the queue) and she said « disponible »."""
    assert api(alice, "/file").json()["conseillers_disponibles"] == 0  # signing in starts unavailable
    assert api(alice, "/disponibilite", {"disponible": True}).status_code == 200
    yield alice


def test_the_queue_read_is_the_consoles_sign_of_life(on_duty: TestClient, db: Engine) -> None:  # noqa: F811
    view = api(on_duty, "/file").json()
    assert view["conseillers_disponibles"] == 1 and view["disponible"] is True
    assert view["presence_secondes"] == 60 and view["absence"] is False
    console_gone(db)
    with session_scope(db) as session:
        seen = session.scalars(select(AgentSession.console_seen_at)).one()
    assert seen is not None
    # Back after the gap: « disponible » went off, and the console is told so.
    back = api(on_duty, "/file").json()
    assert back["absence"] is True and back["disponible"] is False and back["conseillers_disponibles"] == 0
    with session_scope(db) as session:
        now_seen = session.scalars(select(AgentSession.console_seen_at)).one()
        assert now_seen is not None and now_seen > seen


def test_a_waiting_member_is_told_at_once_when_the_last_console_closes(
    member: TestClient,  # noqa: F811
    on_duty: TestClient,
    db: Engine,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The test client never says the browser went away: the stream ends on its own, quickly.
    monkeypatch.setattr(live, "STREAM_SECONDS", 0.5)
    open_live(db)
    first = chat(member, "vous êtes là ?")
    assert first["handoff"]["etat"] == "attente" and first["handoff"]["offre"] is None
    assert first["handoff"]["estimation"] is None  # no chat taken yet: no number made up
    console_gone(db)
    state = read_events(member, MEMBER, stop_after=1)[0]
    assert state[0] == "etat" and state[1]["offre"]["motif"] == NOBODY
    assert state[1]["offre"]["texte"] == OFFER_TEXTS[NOBODY] and state[1]["position"] == 1
    # Another message: kept for the agent, without the promise of an answer « ici même ».
    kept = chat(member, "toujours personne ?")
    assert kept["messages"] == [{"text": KEPT_TEXT.format(position=1), "buttons": []}]


def test_the_member_switches_to_a_call_back(
    member: TestClient,  # noqa: F811
    on_duty: TestClient,
    rasa: SwitchableRasa,
    db: Engine,  # noqa: F811
) -> None:
    handoff_id = open_live(db)
    answer = chat(member, "finalement je préfère être rappelé")
    assert answer["messages"][0]["text"] == LEFT_TEXTS[Choice.CALLBACK]
    assert answer["messages"][1]["text"] == "Réponse de Sésame."  # the call-back form, from Rasa
    assert answer["handoff"]["etat"] == "terminee" and answer["handoff"]["fin"] == "adherent"
    [asked] = rasa.asked
    assert asked["message"] == CALLBACK_REQUEST and asked["metadata"]["rappel"] is True
    with session_scope(db) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None and handoff.state == HandoffState.LEFT
        texts = session.scalars(
            select(HandoffMessage.text).where(HandoffMessage.handoff_id == handoff_id)
        ).all()
        assert "finalement je préfère être rappelé" in texts  # nothing lost for the console
    assert api(on_duty, "/file").json()["en_attente"] == 0
    # The next message is the bot's again, with no call-back flag.
    chat(member, "à quel moment ?")
    assert rasa.asked[-1]["message"] == "à quel moment ?" and "rappel" not in rasa.asked[-1]["metadata"]


def test_the_member_leaves_with_the_button_and_the_bot_answers_again(
    member: TestClient,  # noqa: F811
    on_duty: TestClient,
    rasa: SwitchableRasa,
    db: Engine,  # noqa: F811
) -> None:
    open_live(db)
    answer = chat(member, LEAVE_PAYLOAD)
    assert answer["messages"] == [{"text": LEFT_TEXTS[Choice.LEAVE], "buttons": []}]
    assert rasa.asked == []
    assert chat(member, LEAVE_PAYLOAD)["messages"][0]["text"] == NOT_IN_QUEUE_TEXT  # pressed twice
    assert "handoff" not in chat(member, "bonjour") and len(rasa.asked) == 1


def test_once_an_agent_holds_the_chat_the_words_are_the_agents(
    member: TestClient,  # noqa: F811
    on_duty: TestClient,
    rasa: SwitchableRasa,
    db: Engine,  # noqa: F811
) -> None:
    handoff_id = open_live(db)
    assert api(on_duty, f"/prises-en-charge/{handoff_id}/prendre", {}).status_code == 200
    typed = chat(member, "annuler")
    assert typed["messages"] == [] and typed["handoff"]["etat"] == "en_cours"
    late_button = chat(member, CALLBACK_PAYLOAD)
    assert late_button["messages"][0]["text"] == AGENT_HERE_TEXT
    lines = [m["texte"] for m in api(on_duty, f"/prises-en-charge/{handoff_id}").json()["messages"]]
    assert "annuler" in lines and CALLBACK_PAYLOAD not in lines
    assert rasa.asked == []


def test_rasa_failing_after_the_queue_was_left_leaves_a_button_to_ask_again(
    member: TestClient,  # noqa: F811
    rasa: SwitchableRasa,
    db: Engine,  # noqa: F811
) -> None:
    open_live(db)
    rasa.failing = True
    answer = chat(member, "rappelez-moi")
    assert answer["messages"] == [{"text": LEFT_TEXTS[Choice.CALLBACK], "buttons": []}, CALLBACK_RETRY]
    assert answer["messages"][1]["buttons"][0]["payload"] == CALLBACK_PAYLOAD


def test_a_call_back_button_without_a_queue_still_asks_for_the_call_back(
    member: TestClient,  # noqa: F811
    rasa: SwitchableRasa,
) -> None:
    answer: dict[str, Any] = chat(member, CALLBACK_PAYLOAD)
    assert answer["messages"] == [{"text": "Réponse de Sésame.", "buttons": []}]
    assert rasa.asked[0]["message"] == CALLBACK_REQUEST and rasa.asked[0]["metadata"]["rappel"] is True
    chat(member, "rappelez-moi")  # typed, without a queue: the bot reads it
    assert rasa.asked[1]["message"] == "rappelez-moi" and "rappel" not in rasa.asked[1]["metadata"]
