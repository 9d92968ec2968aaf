"""Each cause offered by the diagnostic question leads to its help-document answer."""

from __future__ import annotations

from typing import Any

from bot.dialogue.login_help import PROBLEM_ANSWERS, UNKNOWN_PROBLEM_ANSWER, answer_for


def test_every_slot_value_has_an_answer_in_the_domain(domain: dict[str, Any]) -> None:
    values = domain["slots"]["login_problem"]["values"]
    assert set(values) == set(PROBLEM_ANSWERS)
    for value in values:
        assert answer_for(value) in domain["responses"]


def test_diagnostic_buttons_fill_the_slot_or_start_the_reset(domain: dict[str, Any]) -> None:
    """Every button of the question maps to one slot value, except "forgotten code" (reset form)."""
    buttons = domain["responses"]["utter_ask_login_problem"][0]["buttons"]
    mapped = {m["intent"]: m["value"] for m in domain["slots"]["login_problem"]["mappings"]}
    intents = [b["payload"].lstrip("/") for b in buttons]
    assert "forgot_access_code" in intents
    assert sorted(mapped[i] for i in intents if i != "forgot_access_code") == sorted(PROBLEM_ANSWERS)


def test_captcha_cause_gets_the_captcha_answer() -> None:
    assert answer_for("captcha") == "utter_too_many_attempts"


def test_unknown_or_missing_cause_gets_a_general_answer(domain: dict[str, Any]) -> None:
    assert answer_for(None) == UNKNOWN_PROBLEM_ANSWER
    assert answer_for("n'importe quoi") == UNKNOWN_PROBLEM_ANSWER
    assert UNKNOWN_PROBLEM_ANSWER in domain["responses"]
