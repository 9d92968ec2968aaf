"""The « Vouliez-vous dire… » buttons speak French and point at real intents."""

from __future__ import annotations

from typing import Any

from bot.dialogue.intents import INTENT_LABELS, OTHER_PAYLOAD, TOPIC_MENU, clarification, suggestions


def test_best_labelled_guesses_come_first_and_other_last() -> None:
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.9},
        {"name": "forgot_access_code", "confidence": 0.35},
        {"name": "affirm", "confidence": 0.30},
        {"name": "where_is_access_code", "confidence": 0.20},
        {"name": "first_login", "confidence": 0.10},
    ]
    buttons = suggestions(ranking)
    assert [b.payload for b in buttons] == ["/forgot_access_code", "/where_is_access_code", OTHER_PAYLOAD]
    assert buttons[0].title == "J'ai oublié mon code d'accès"


def test_unlikely_guesses_are_not_offered() -> None:
    buttons = suggestions([{"name": "postal_letter", "confidence": 0.01}])
    assert [b.payload for b in buttons] == [OTHER_PAYLOAD]


def test_every_label_names_a_domain_intent(domain: dict[str, Any]) -> None:
    assert set(INTENT_LABELS) <= set(domain["intents"])


def test_every_help_document_intent_has_a_label() -> None:
    help_intents = {
        "how_to_login", "where_is_access_code", "forgot_access_code", "first_login",
        "too_many_attempts", "personalized_code_rejected", "cannot_login", "access_code_rules",
        "email_not_received", "postal_letter", "terms_of_use", "ask_website",
    }  # fmt: skip
    assert help_intents <= set(INTENT_LABELS)


def test_no_sensible_guess_offers_the_topic_menu() -> None:
    prompt = clarification(
        [{"name": "nlu_fallback", "confidence": 0.9}, {"name": "greet", "confidence": 0.1}]
    )
    assert prompt.text.startswith("Je n'ai pas compris")
    assert [b.payload for b in prompt.buttons] == [f"/{name}" for name in TOPIC_MENU]


def test_a_sensible_guess_is_asked_about() -> None:
    prompt = clarification([{"name": "postal_letter", "confidence": 0.4}])
    assert "Vouliez-vous dire" in prompt.text
    assert prompt.buttons[0].payload == "/postal_letter"
