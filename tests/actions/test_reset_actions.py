"""The reset form's actions, run as the action server runs them, on a real database."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine, func, select

from actions.reset import ActionAskResetConfirmed, ActionResetStatus, ActionSubmitReset, ValidateResetForm
from bot.db.engine import session_scope
from bot.db.models import OutgoingEmail, PostalLetter
from bot.members.lookup import hash_nir
from tests.actions.conftest import KEY, UNKNOWN, WITH_EMAIL, WITHOUT_EMAIL
from tests.support.nirs import spellings


def tracker(slots: dict[str, Any], intent: str = "provide_nir", text: str = "") -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots,
        latest_message={"text": text, "intent": {"name": intent, "confidence": 1.0}},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={"name": "reset_form"},
        latest_action_name="action_listen",
    )


def validate_nir(
    typed: str, slots: dict[str, Any] | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    result = ValidateResetForm().validate_nir(typed, dispatcher, tracker(slots or {}), {})
    return result, dispatcher.messages


def run(action: Any, slots: dict[str, Any], intent: str = "affirm") -> tuple[list[Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, tracker(slots, intent), {}))
    return events, dispatcher.messages


def test_known_nir_in_any_spelling_finds_the_member_without_keeping_the_number(members: Engine) -> None:
    for typed in spellings(WITH_EMAIL):
        result, messages = validate_nir(typed)
        assert messages == []
        assert result["member_ref"] == hash_nir(WITH_EMAIL, KEY)
        assert result["reset_destination"] == "j•••@e•••.fr"
        assert WITH_EMAIL not in str(result) and typed not in str(result)


def test_malformed_nir_gets_its_precise_message_and_counts_an_attempt(members: Engine) -> None:
    result, messages = validate_nir(WITH_EMAIL[:11])
    assert result == {"nir": None, "member_ref": None, "nir_attempts": 1.0}
    assert "11" in messages[0]["text"]


def test_unknown_member_is_told_plainly(members: Engine) -> None:
    result, messages = validate_nir(UNKNOWN, {"nir_attempts": 1.0})
    assert result["nir_attempts"] == 2.0
    assert messages == [{**messages[0], "response": "utter_nir_unknown"}]


def test_third_failure_locks_look_ups_in_the_conversation(members: Engine) -> None:
    result, messages = validate_nir(UNKNOWN, {"nir_attempts": 2.0})
    assert result["nir_attempts"] == 3.0 and messages == []
    form = ValidateResetForm()
    slots = asyncio.run(
        form.required_slots(["reset_wanted", "nir", "reset_confirmed"], CollectingDispatcher(),
                            tracker({"nir_attempts": 3.0, "reset_wanted": True}), {})
    )  # fmt: skip
    assert slots == []
    _, said = run(ActionSubmitReset(), {"nir_attempts": 3.0, "reset_wanted": True})
    assert said[0]["response"] == "utter_nir_attempts_exhausted"


def test_confirmation_names_the_masked_address_or_the_letter() -> None:
    _, said = run(ActionAskResetConfirmed(), {"reset_destination": "j•••@e•••.fr"})
    assert said[0]["response"] == "utter_ask_reset_confirmed_email"
    assert said[0]["masked_email"] == "j•••@e•••.fr"
    _, said = run(ActionAskResetConfirmed(), {"reset_destination": ""})
    assert said[0]["response"] == "utter_ask_reset_confirmed_letter"


def confirmed(nir: str) -> dict[str, Any]:
    return {"reset_wanted": True, "nir": "masked", "member_ref": hash_nir(nir, KEY), "reset_confirmed": True}


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_confirmed_request_queues_one_email_and_a_repeat_says_it_is_on_its_way(members: Engine) -> None:
    events, said = run(ActionSubmitReset(), confirmed(WITH_EMAIL))
    assert said[0]["response"] == "utter_reset_email_queued"
    assert said[0]["masked_email"] == "j•••@e•••.fr" and said[0]["ttl_minutes"] == "60"
    assert SlotSet("reset_confirmed", None) in events and SlotSet("nir", None) in events
    _, said = run(ActionSubmitReset(), confirmed(WITH_EMAIL))
    assert said[0]["response"] == "utter_reset_email_on_its_way"
    assert count(members, OutgoingEmail) == 1


def test_member_without_email_gets_a_letter(members: Engine) -> None:
    _, said = run(ActionSubmitReset(), confirmed(WITHOUT_EMAIL))
    assert said[0]["response"] == "utter_reset_letter_queued"
    assert count(members, PostalLetter) == 1


@pytest.mark.parametrize(
    ("slots", "response"),
    [({"reset_wanted": False}, "utter_reset_declined"), ({**confirmed(WITH_EMAIL), "reset_confirmed": False},
     "utter_reset_cancelled")],
)  # fmt: skip
def test_declined_or_cancelled_requests_send_nothing(
    members: Engine, slots: dict[str, Any], response: str
) -> None:
    _, said = run(ActionSubmitReset(), slots)
    assert said[0]["response"] == response
    assert count(members, OutgoingEmail) == 0


def test_status_uses_the_database_when_the_member_is_known(members: Engine) -> None:
    _, said = run(ActionResetStatus(), {}, intent="email_not_received")
    assert said[0]["response"] == "utter_email_not_received"
    run(ActionSubmitReset(), confirmed(WITH_EMAIL))
    _, said = run(ActionResetStatus(), {"member_ref": hash_nir(WITH_EMAIL, KEY)}, intent="email_not_received")
    assert said[0]["response"] == "utter_status_email_pending"
    assert said[0]["masked_email"] == "j•••@e•••.fr"


def test_database_down_is_told_in_french_and_changes_nothing(
    members: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none")
    _, said = run(ActionSubmitReset(), confirmed(WITH_EMAIL))
    assert said[0]["response"] == "utter_reset_unavailable"
    assert count(members, OutgoingEmail) == 0
