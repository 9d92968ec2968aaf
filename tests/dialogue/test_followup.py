"""Follow-up questions develop the last help answer; other languages get the French menu."""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.followup import (
    HELP_ANSWERS,
    OTHER_ANSWERS,
    OTHER_LANGUAGE,
    detail_of,
    last_turn_responses,
    response_to_develop,
    topic_menu,
)
from bot.dialogue.intents import REGISTRY, TOPIC_MENU


def user(text: str) -> dict[str, Any]:
    return {"event": "user", "text": text}


def bot(response: str | None) -> dict[str, Any]:
    return {"event": "bot", "text": "…", "metadata": {"utter_action": response} if response else {}}


def test_every_help_question_has_a_detailed_answer(domain: dict[str, Any]) -> None:
    """A trainer adding a help-document question is told to write its longer answer too."""
    for intent in REGISTRY.help_document:
        assert f"utter_{intent}_detail" in domain["responses"], (
            f"« {intent} » est une question du document d'aide : ajoutez sa réponse détaillée "
            f"utter_{intent}_detail dans domain/responses/details.yml."
        )
    for name in OTHER_ANSWERS.values():
        assert name in domain["responses"], name
    # cannot_login has no short answer of its own: it starts the diagnostic (OTHER_ANSWERS).
    assert HELP_ANSWERS - {"utter_cannot_login"} <= set(domain["responses"])


def test_the_captcha_answer_is_developed() -> None:
    events = [user("on me demande un captcha"), bot("utter_too_many_attempts"), user("ça veut dire quoi ?")]
    assert response_to_develop(last_turn_responses(events)) == "utter_too_many_attempts_detail"


def test_inside_a_form_the_answer_before_the_question_is_developed() -> None:
    events = [
        user("comment on se connecte"),
        bot("utter_how_to_login"),
        bot("utter_ask_reset_wanted"),
        user("pourquoi ?"),
    ]
    assert last_turn_responses(events) == ["utter_ask_reset_wanted", "utter_how_to_login"]
    assert response_to_develop(last_turn_responses(events)) == "utter_how_to_login_detail"


def test_only_the_last_turn_counts() -> None:
    events = [
        user("captcha ?"),
        bot("utter_too_many_attempts"),
        user("bonjour"),
        bot("utter_greet"),
        user("pourquoi ?"),
    ]
    assert response_to_develop(last_turn_responses(events)) is None


def test_text_without_a_response_name_and_status_answers() -> None:
    events = [user("rien reçu"), bot(None), bot("utter_status_letter"), user("et après ?")]
    assert response_to_develop(last_turn_responses(events)) == "utter_postal_letter_detail"
    assert response_to_develop(["utter_link_status_expired"]) == "utter_reset_link_help"


@pytest.mark.parametrize("name", ["utter_greet", "utter_too_many_attempts_detail", "utter_never_share_code"])
def test_no_detail_for_what_is_not_a_help_answer(name: str) -> None:
    assert detail_of(name) is None


def test_the_other_language_answer_is_french_with_the_topic_menu() -> None:
    assert "français" in OTHER_LANGUAGE
    assert [s.payload for s in topic_menu()] == [f"/{name}" for name in TOPIC_MENU]
