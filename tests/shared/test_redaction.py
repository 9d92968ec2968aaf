"""Events are stored with NIRs and access codes masked, everything else intact."""

from __future__ import annotations

from hypothesis import given, settings

from bot.shared.normal_form import normalized
from bot.shared.patterns import CODE_MASK, NIR_MASK
from bot.shared.redaction import PHONE_MASK, SecretContext, redact_event, redact_events
from tests.support.nirs import valid_nirs, with_key
from tests.support.unicode_forms import typed


def user_event(text: str, entities: list[dict[str, object]] | None = None) -> dict[str, object]:
    return {
        "event": "user",
        "timestamp": 1.0,
        "text": text,
        "parse_data": {
            "text": text,
            "intent": {"name": "provide_nir", "confidence": 0.98},
            "entities": entities or [],
        },
    }


@given(valid_nirs)
def test_user_message_with_nir_is_masked_everywhere(number: str) -> None:
    event = user_event(f"mon numero {number}", [{"entity": "nir", "value": number, "start": 11}])
    stored = redact_event(event)
    assert number not in repr(stored)
    assert stored["text"] == f"mon numero {NIR_MASK}"
    assert stored["parse_data"]["entities"][0]["value"] == NIR_MASK
    assert stored["parse_data"]["intent"] == {"name": "provide_nir", "confidence": 0.98}


@settings(max_examples=50, deadline=None)
@given(valid_nirs.flatmap(typed))
def test_a_nir_in_any_spelling_leaves_no_digit_in_the_stored_event(written: str) -> None:
    """Issue 20: "2|91|09|…", superscripts, U+2063 or U+034F between digits were stored in clear."""
    stored = redact_event(user_event(f"mon numero {written}", [{"entity": "number", "value": written}]))
    assert stored["text"] == f"mon numero {NIR_MASK}"
    assert stored["parse_data"]["text"] == f"mon numero {NIR_MASK}"
    assert stored["parse_data"]["entities"][0]["value"] == NIR_MASK
    assert not any(ch.isdigit() for ch in normalized(repr(stored["parse_data"]["text"])))


def test_access_code_in_user_message_is_masked() -> None:
    stored = redact_event(user_event("482913"))
    assert "482913" not in repr(stored)
    assert stored["text"] == CODE_MASK


def test_a_code_followed_by_a_count_is_masked_in_the_stored_message() -> None:
    stored = redact_event(user_event("j'ai tapé 482 913 3 fois et ça bloque"))
    assert "482" not in repr(stored) and "913" not in repr(stored)
    assert stored["text"] == f"j'ai tapé {CODE_MASK} 3 fois et ça bloque"
    assert stored["parse_data"]["text"] == stored["text"]


def test_original_event_is_not_modified() -> None:
    event = user_event("482913")
    redact_event(event)
    assert event["text"] == "482913"


def test_secret_slot_value_is_masked_and_other_slots_kept() -> None:
    assert (
        redact_event({"event": "slot", "name": "nir", "value": with_key("1840575108234")})["value"]
        == NIR_MASK
    )
    kept = {"event": "slot", "name": "login_problem", "value": "captcha"}
    assert redact_event(kept) == kept


def test_action_events_pass_through() -> None:
    event = {"event": "action", "name": "utter_greet", "timestamp": 2.0}
    assert redact_event(event) == event


def bot_said(utter_action: str) -> dict[str, object]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": utter_action}}


NIR_ASKED_BY_FORM: list[dict[str, object]] = [
    {"event": "active_loop", "name": "reset_form"},
    {"event": "slot", "name": "requested_slot", "value": "nir"},
    bot_said("utter_ask_nir"),
    {"event": "action", "name": "action_listen"},
]


def test_a_message_typed_while_the_nir_is_asked_is_masked_whole() -> None:
    events: list[dict[str, object]] = [
        user_event("bonjour"),
        *NIR_ASKED_BY_FORM,
        user_event("1 84 12"),
        user_event("75 108 234 56"),
    ]
    stored = list(redact_events(events))
    assert stored[0]["text"] == "bonjour"
    for event in stored[-2:]:
        assert event["text"] == event["parse_data"]["text"] == NIR_MASK


def test_the_context_carries_over_from_stored_events() -> None:
    context = SecretContext()
    for event in [
        {"event": "active_loop", "name": "reset_form"},
        {"event": "slot", "name": "requested_slot", "value": "nir"},
    ]:
        context.update(event)
    assert context.awaiting_nir
    (stored,) = redact_events([user_event("482")], context)
    assert stored["text"] == NIR_MASK


def test_the_nir_question_alone_is_enough() -> None:
    (_, stored) = redact_events([bot_said("utter_ask_nir"), user_event("je cherche ma carte, 1 84")])
    assert stored["text"] == NIR_MASK


def test_once_the_bot_asks_something_else_messages_are_kept() -> None:
    events: list[dict[str, object]] = [
        *NIR_ASKED_BY_FORM,
        user_event("x"),
        {"event": "slot", "name": "requested_slot", "value": "reset_confirmed"},
        bot_said("utter_ask_reset_confirmed_email"),
        user_event("oui"),
        {"event": "restart"},
        bot_said("utter_ask_nir"),
        {"event": "session_started"},
        user_event("bonjour"),
    ]
    assert [event["text"] for event in redact_events(events) if event["event"] == "user"] == [
        NIR_MASK,
        "oui",
        "bonjour",
    ]


PHONE_ASKED_BY_FORM: list[dict[str, object]] = [
    {"event": "active_loop", "name": "callback_form"},
    {"event": "slot", "name": "requested_slot", "value": "callback_phone"},
    bot_said("utter_ask_callback_phone"),
    {"event": "action", "name": "action_listen"},
]


def test_a_message_typed_while_the_phone_is_asked_is_masked_whole() -> None:
    events: list[dict[str, object]] = [
        *PHONE_ASKED_BY_FORM,
        user_event("06 12 34"),
        {"event": "bot", "text": "Il manque des chiffres…", "metadata": {}},
        user_event("c'est le 06 12 34 56 78"),
        {"event": "slot", "name": "callback_phone", "value": "0612345678"},
        {"event": "slot", "name": "requested_slot", "value": None},
        {"event": "active_loop", "name": None},
        user_event("merci"),
    ]
    stored = list(redact_events(events))
    assert "12 34" not in repr(stored) and "0612345678" not in repr(stored)
    users = [event for event in stored if event["event"] == "user"]
    assert [event["text"] for event in users] == [PHONE_MASK, PHONE_MASK, "merci"]
    assert users[1]["parse_data"]["text"] == PHONE_MASK
    assert [e["value"] for e in stored if e.get("name") == "callback_phone"] == [PHONE_MASK]


def test_the_phone_question_alone_is_enough_and_the_context_says_which_mask() -> None:
    context = SecretContext()
    context.update(bot_said("utter_ask_callback_phone"))
    assert context.awaiting_phone and not context.awaiting_nir
    assert context.mask == PHONE_MASK
    (stored,) = redact_events([user_event("zéro six douze")], context)
    assert stored["text"] == PHONE_MASK


def test_the_phone_slot_is_masked_and_the_preferred_time_kept() -> None:
    assert redact_event({"event": "slot", "name": "callback_phone", "value": "0612345678"})["value"] == (
        PHONE_MASK
    )
    kept = {"event": "slot", "name": "callback_slot", "value": "Le matin"}
    assert redact_event(kept) == kept
