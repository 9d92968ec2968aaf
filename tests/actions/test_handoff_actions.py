"""The hand-off actions: a live chat when an agent is on duty, else the truth and a call-back."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, select

from actions.contact import (
    ActionDefaultFallback,
    ActionRequestHuman,
    ActionStopCallback,
    ActionSubmitCallback,
    ValidateCallbackForm,
)
from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason
from bot.db.models import Handoff, utcnow
from tests.handoffs.events import user
from tests.support.on_duty import agent_on_duty

FICTITIOUS_PHONE = "01 00 00 00 00 (numéro fictif)"


@pytest.fixture
def settings(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("HANDOFF_HOURS", "")
    monkeypatch.setenv("ACS_CONTACT_PHONE", "")
    monkeypatch.setenv("ACS_CONTACT_HOURS", "")
    return db_url


def tracker(
    events: list[dict[str, Any]],
    slots: dict[str, Any] | None = None,
    latest: dict[str, Any] | None = None,
) -> Tracker:
    return Tracker(
        sender_id="conv-42",
        slots=slots or {},
        latest_message=latest or events[-1].get("parse_data") or {},
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Action, track: Tracker) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, track, {}))
    return dispatcher.messages, events


ASKED = [user("bonjour", "greet"), user("je veux parler à un conseiller", "request_human")]


def test_with_an_agent_on_duty_a_live_hand_off_is_queued(engine: Engine, settings: str) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, utcnow())
    messages, events = run(ActionRequestHuman(), tracker(ASKED, {"member_ref": None}))
    assert [(m["response"], m.get("position")) for m in messages] == [("utter_handoff_waiting", "1")]
    assert events == [{"event": "slot", "timestamp": None, "name": "handoff_outcome", "value": "queued"}]
    with session_scope(engine) as session:
        [handoff] = session.scalars(select(Handoff)).all()
        assert (handoff.conversation_id, handoff.kind, handoff.channel) == (
            "conv-42",
            HandoffKind.LIVE,
            "web",
        )
        assert handoff.transcript[-1] == {"qui": "adherent", "texte": "je veux parler à un conseiller"}


def test_nobody_on_duty_offers_a_call_back_with_the_contact_details(
    engine: Engine, settings: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACS_CONTACT_PHONE", FICTITIOUS_PHONE)
    messages, events = run(ActionRequestHuman(), tracker(ASKED))
    assert [m["response"] for m in messages] == ["utter_handoff_nobody", "utter_handoff_contact_phone"]
    assert messages[1]["phone"] == FICTITIOUS_PHONE
    assert {(e["name"], e["value"]) for e in events} == {
        ("handoff_outcome", "callback_offered"),
        ("handoff_reason", "asked"),
    }


def test_a_broken_database_is_said_and_nothing_offered(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    (
        tmp_path / "sesame.db"
    ).mkdir()  # a folder where the database file should be: no one opens it, not even root
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/sesame.db")
    messages, events = run(ActionRequestHuman(), tracker(ASKED))
    assert [m["response"] for m in messages] == ["utter_handoff_unavailable"]
    assert [(e["name"], e["value"]) for e in events] == [("handoff_outcome", "queued")]


def test_two_misunderstandings_in_a_row_hand_over(engine: Engine, settings: str) -> None:
    failed = [user("zzz", "nlu_fallback"), user("???", "nlu_fallback")]
    messages, events = run(ActionDefaultFallback(), tracker(failed))
    assert [m["response"] for m in messages] == ["utter_handoff_bot_failed", "utter_handoff_nobody"]
    kinds = [e["event"] for e in events]
    assert kinds[0] == "rewind" and kinds[-1] == "followup"
    assert events[-1]["name"] == "callback_form"
    with session_scope(engine) as session:
        agent_on_duty(session, utcnow())
    messages, events = run(ActionDefaultFallback(), tracker(failed))
    assert [m["response"] for m in messages] == ["utter_handoff_bot_failed", "utter_handoff_waiting"]
    assert "followup" not in [e["event"] for e in events]
    with session_scope(engine) as session:
        [handoff] = session.scalars(select(Handoff)).all()
        assert handoff.reason == HandoffReason.BOT_FAILED


def test_the_default_fallback_otherwise_says_what_it_always_said(settings: str) -> None:
    messages, events = run(ActionDefaultFallback(), tracker([user("bonjour", "greet")]))
    assert [m["response"] for m in messages] == ["utter_default"]
    assert [e["event"] for e in events] == ["rewind"]


def validate(slots: dict[str, Any], text: str, intent: str) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    message = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []}
    events = [user(text, intent)]
    track = Tracker(
        sender_id="conv-42",
        slots={"handoff_outcome": "callback_offered", "callback_wanted": True, **slots},
        latest_message=message,
        events=events,
        paused=False,
        followup_action=None,
        active_loop={"name": "callback_form"},
        latest_action_name="action_listen",
    )
    domain = {
        "forms": {"callback_form": {"required_slots": ["callback_wanted", "callback_slot", "callback_phone"]}}
    }
    dispatcher = CollectingDispatcher()
    result = asyncio.run(ValidateCallbackForm().run(dispatcher, track, domain))
    return dispatcher.messages, {e["name"]: e["value"] for e in result if e["event"] == "slot"}


def test_the_form_takes_the_moment_then_refuses_a_bad_number_in_french() -> None:
    messages, slots = validate({"requested_slot": "callback_slot"}, "Le matin", "nlu_fallback")
    assert messages == [] and slots["callback_slot"] == "Le matin"
    messages, slots = validate(
        {"requested_slot": "callback_phone", "callback_slot": "Le matin"}, "06 12", "out_of_scope"
    )
    assert "Il manque des chiffres" in messages[0]["text"]
    assert slots["callback_phone"] is None and slots["phone_attempts"] == 1.0
    messages, slots = validate(
        {"requested_slot": "callback_phone", "callback_slot": "Le matin", "phone_attempts": 1.0},
        "+33 6 12 34 56 78",
        "provide_nir",
    )
    assert messages == [] and slots["callback_phone"] == "0612345678"


def test_a_question_asked_instead_of_the_number_is_left_to_its_rule() -> None:
    messages, slots = validate({"requested_slot": "callback_phone"}, "c'est quoi le site ?", "ask_website")
    assert messages == [] and "callback_phone" not in slots


def test_the_third_bad_number_ends_the_form() -> None:
    messages, slots = validate(
        {"requested_slot": "callback_phone", "callback_slot": "Le matin", "phone_attempts": 2.0},
        "08 92 00 00 00",
        "x",
    )
    assert [m.get("response") for m in messages] == [None, "utter_callback_phone_attempts_exhausted"]
    assert slots["phone_attempts"] == 3.0 and slots["requested_slot"] is None


def test_the_call_back_is_queued_with_the_number_and_the_slots_cleared(engine: Engine, settings: str) -> None:
    slots = {
        "handoff_outcome": "callback_offered",
        "handoff_reason": "asked",
        "callback_slot": "L'après-midi",
        "callback_phone": "0612345678",
        "phone_attempts": 0.0,
    }
    messages, events = run(ActionSubmitCallback(), tracker(ASKED, slots))
    assert [(m["response"], m["masked_phone"]) for m in messages] == [
        ("utter_callback_confirmed", "06 •• •• •• 78")
    ]
    assert {e["name"]: e["value"] for e in events}["callback_phone"] is None
    with session_scope(engine) as session:
        [handoff] = session.scalars(select(Handoff)).all()
        assert (handoff.kind, handoff.callback_phone, handoff.callback_slot) == (
            HandoffKind.CALLBACK,
            "0612345678",
            "L'après-midi",
        )


def test_nothing_is_submitted_after_a_live_hand_off_and_stopping_forgets_the_answers(settings: str) -> None:
    messages, events = run(ActionSubmitCallback(), tracker(ASKED, {"handoff_outcome": "queued"}))
    assert messages == [] and all(e["value"] is None for e in events)
    messages, events = run(ActionStopCallback(), tracker(ASKED, {"callback_phone": "0612345678"}))
    assert events[0] == {"event": "active_loop", "timestamp": None, "name": None}
    assert {e.get("name"): e.get("value") for e in events[1:]}["callback_phone"] is None
