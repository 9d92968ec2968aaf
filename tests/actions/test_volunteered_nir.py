"""A NIR given before the bot asked for it, and the end of a request (issue #10).

The number is checked in the turn it is typed, behind the same limits as the form's
question; only its keyed hash stays in the conversation.
"""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine

from actions.reset import (
    ActionAskResetWanted,
    ActionStopReset,
    ActionTakeDiagnosticNir,
    ActionTakeVolunteeredNir,
    ValidateResetForm,
    previous_bot_action,
)
from bot.members.lookup import hash_nir
from tests.actions.conftest import KEY, UNKNOWN, WITH_EMAIL, WITHOUT_EMAIL


def tracker(
    text: str, intent: str, slots: dict[str, Any] | None = None, previous: str | None = None
) -> Tracker:
    events: list[dict[str, Any]] = []
    if previous:
        events = [{"event": "action", "name": previous}, {"event": "action", "name": "action_listen"}]
    events.append({"event": "user", "text": text})
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": [{"entity": "nir", "value": part} for part in [text] if intent == "provide_nir"],
        },
        events=events,
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def take(
    text: str, intent: str, slots: dict[str, Any] | None = None, previous: str | None = None
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(
        ActionTakeVolunteeredNir().run(dispatcher, tracker(text, intent, slots, previous), {})
    )
    assert all(isinstance(event, dict) and event["event"] == "slot" for event in events)
    return {event["name"]: event["value"] for event in events}, dispatcher.messages


def test_a_nir_with_the_wish_goes_straight_to_the_confirmation(members: Engine) -> None:
    spaced = " ".join(
        [
            WITH_EMAIL[0],
            WITH_EMAIL[1:3],
            WITH_EMAIL[3:5],
            WITH_EMAIL[5:7],
            WITH_EMAIL[7:10],
            WITH_EMAIL[10:13],
            WITH_EMAIL[13:],
        ]
    )
    slots, messages = take(f"voici mon numéro {spaced}, je voudrais un nouveau code", "forgot_access_code")
    assert messages == []
    assert slots == {
        "member_ref": hash_nir(WITH_EMAIL, KEY),
        "reset_destination": "j•••@e•••.fr",
        "reset_wanted": True,
    }
    assert WITH_EMAIL not in str(slots)


def test_a_lone_nir_out_of_the_blue_is_offered_first(members: Engine) -> None:
    slots, messages = take(WITHOUT_EMAIL, "provide_nir")
    assert messages == []
    assert slots["member_ref"] == hash_nir(WITHOUT_EMAIL, KEY)
    assert slots["reset_destination"] == ""
    assert slots["reset_wanted"] is None
    dispatcher = CollectingDispatcher()
    asyncio.run(ActionAskResetWanted().run(dispatcher, tracker("", "affirm", slots), {}))
    assert dispatcher.messages[0]["response"] == "utter_ask_reset_with_given_nir"


def test_a_lone_nir_right_after_the_reset_topic_goes_on(members: Engine) -> None:
    slots, _ = take(WITH_EMAIL, "provide_nir", previous="action_submit_reset")
    assert slots["reset_wanted"] is True


def test_a_refused_number_is_said_counted_and_asked_again(members: Engine) -> None:
    slots, messages = take(UNKNOWN, "provide_nir")
    assert slots == {"member_ref": None, "nir_attempts": 1.0, "reset_wanted": True}
    assert messages[0]["response"] == "utter_nir_unknown"
    slots, messages = take(WITH_EMAIL[:-1] + "0", "provide_nir", {"nir_attempts": 1.0})
    assert slots["nir_attempts"] == 2.0
    assert "clé" in messages[0]["text"]
    assert WITH_EMAIL[:-2] not in messages[0]["text"]


def test_no_look_up_once_three_numbers_were_refused(members: Engine) -> None:
    slots, messages = take(WITH_EMAIL, "forgot_access_code", {"nir_attempts": 3.0})
    assert slots == {"reset_wanted": True, "member_ref": None}
    assert messages == []


def test_the_form_does_not_ask_again_for_a_verified_number() -> None:
    form = ValidateResetForm()
    domain_slots = ["reset_wanted", "nir", "reset_confirmed"]
    verified = {"member_ref": "ref", "reset_destination": "", "reset_wanted": True}
    asked = asyncio.run(
        form.required_slots(domain_slots, CollectingDispatcher(), tracker("", "affirm", verified), {})
    )
    assert asked == ["reset_wanted", "reset_confirmed"]
    fresh = {"member_ref": "ref", "reset_destination": None}  # known from an earlier request only
    asked = asyncio.run(
        form.required_slots(domain_slots, CollectingDispatcher(), tracker("", "affirm", fresh), {})
    )
    assert asked == domain_slots


def test_stopping_the_request_forgets_its_answers() -> None:
    events = asyncio.run(ActionStopReset().run(CollectingDispatcher(), tracker("merci", "thank"), {}))
    assert events[0] == ActiveLoop(None)
    assert SlotSet("requested_slot", None) in events
    for slot in ("reset_wanted", "nir", "reset_confirmed", "reset_destination", "lookup_paused"):
        assert SlotSet(slot, None) in events


def test_previous_bot_action_skips_listening() -> None:
    events = [
        {"event": "action", "name": "utter_forgot_access_code"},
        {"event": "action", "name": "action_listen"},
        {"event": "user", "text": "x"},
        {"event": "action", "name": "action_extract_slots"},
    ]
    assert previous_bot_action(events) == "utter_forgot_access_code"
    assert previous_bot_action([{"event": "user", "text": "x"}]) is None


def spaced(nir: str) -> str:
    return " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])


def test_a_nir_with_no_email_address_goes_straight_to_the_confirmation(members: Engine) -> None:
    """Gap 2: read as a bare number by the classifier, the no-email words still ask for a code."""
    slots, messages = take(f"je n'ai pas d'adresse mail, mon numéro {spaced(WITHOUT_EMAIL)}", "provide_nir")
    assert messages == []
    assert slots == {
        "member_ref": hash_nir(WITHOUT_EMAIL, KEY),
        "reset_destination": "",
        "reset_wanted": True,
    }
    slots, _ = take(f"{spaced(WITH_EMAIL)} pas d'e-mail", "no_email_address")
    assert slots["reset_wanted"] is True and slots["reset_destination"] == "j•••@e•••.fr"


def test_the_number_asked_for_is_read_inside_a_sentence(members: Engine) -> None:
    """Gap 1: the form's question answered with the number and the wish in one message."""
    found = ValidateResetForm().validate_nir(
        f"{spaced(WITH_EMAIL)} je veux un nouveau code", CollectingDispatcher(), tracker("", "affirm"), {}
    )
    assert found["member_ref"] == hash_nir(WITH_EMAIL, KEY)
    assert found["reset_destination"] == "j•••@e•••.fr"
    assert WITH_EMAIL not in str(found) and spaced(WITH_EMAIL) not in str(found)


def diagnostic(text: str, slots: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(ActionTakeDiagnosticNir().run(dispatcher, tracker(text, "provide_nir", slots), {}))
    return {event["name"]: event["value"] for event in events}, dispatcher.messages


RESET_DOMAIN: dict[str, Any] = {
    "forms": {"reset_form": {"required_slots": ["reset_wanted", "nir", "reset_confirmed"]}},
    "slots": {},
}


def test_a_nir_kept_in_the_diagnostic_goes_straight_to_the_confirmation(members: Engine) -> None:
    """Gap 3: checked once; "Recevoir un nouveau code" then asks neither the offer nor the number."""
    kept, messages = diagnostic(WITH_EMAIL)
    assert kept == {"member_ref": hash_nir(WITH_EMAIL, KEY), "reset_destination": "j•••@e•••.fr"}
    assert [message["response"] for message in messages] == ["utter_provide_nir_kept"]
    assert WITH_EMAIL not in str(messages)
    asked = tracker("/forgot_access_code", "forgot_access_code", kept)
    events = asyncio.run(ValidateResetForm().run(CollectingDispatcher(), asked, RESET_DOMAIN))
    assert SlotSet("reset_wanted", True) in events
    assert SlotSet("requested_slot", "reset_confirmed") in events


def test_a_nir_refused_in_the_diagnostic_is_asked_again_later(members: Engine) -> None:
    kept, messages = diagnostic(UNKNOWN)
    assert kept == {"member_ref": None, "nir_attempts": 1.0}
    assert [message["response"] for message in messages] == [
        "utter_nir_unknown",
        "utter_provide_nir_out_of_context",
    ]
    asked = tracker("/forgot_access_code", "forgot_access_code", kept)
    events = asyncio.run(ValidateResetForm().run(CollectingDispatcher(), asked, RESET_DOMAIN))
    assert events == []  # the offer, then the number, are asked as usual


def test_no_look_up_in_the_diagnostic_once_three_numbers_were_refused(members: Engine) -> None:
    kept, messages = diagnostic(WITH_EMAIL, {"nir_attempts": 3.0})
    assert kept == {}
    assert [message["response"] for message in messages] == ["utter_provide_nir_out_of_context"]
