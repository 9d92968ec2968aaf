"""Events are stored with NIRs and access codes masked, everything else intact."""

from __future__ import annotations

from hypothesis import given

from bot.shared.patterns import CODE_MASK, NIR_MASK
from bot.shared.redaction import redact_event
from tests.support.nirs import valid_nirs, with_key


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


def test_access_code_in_user_message_is_masked() -> None:
    stored = redact_event(user_event("482913"))
    assert "482913" not in repr(stored)
    assert stored["text"] == CODE_MASK


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
