"""Typed payloads, control characters and huge pastes are made harmless."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dialogue.intents import BUTTON_INTENTS, INTENT_LABELS, OTHER_PAYLOAD, TOPIC_MENU
from bot.shared.user_input import MAX_MESSAGE_LENGTH, clean_message


@pytest.mark.parametrize("payload", ["/forgot_access_code", "/request_human", "/out_of_scope"])
def test_button_payloads_pass_unchanged(payload: str) -> None:
    assert clean_message(payload, BUTTON_INTENTS) == payload


@pytest.mark.parametrize(
    ("typed", "seen"),
    [
        ('/provide_nir{"nir": "x"}', 'provide_nir{"nir": "x"}'),
        ('/intent{"x": 1}', 'intent{"x": 1}'),
        ("/nlu_fallback", "nlu_fallback"),
        ("//restart", "restart"),
        ("  bonjour  ", "bonjour"),
        ("", ""),
        (None, ""),
    ],
)
def test_other_slash_messages_become_plain_text(typed: str | None, seen: str) -> None:
    assert clean_message(typed, BUTTON_INTENTS) == seen


def test_control_characters_are_removed() -> None:
    assert clean_message("bon\x00jour\u200b", BUTTON_INTENTS) == "bon jour"


@given(st.text(max_size=6000))
def test_any_text_is_cut_to_the_limit_and_never_becomes_an_entity_payload(text: str) -> None:
    cleaned = clean_message(text, BUTTON_INTENTS)
    assert len(cleaned) <= MAX_MESSAGE_LENGTH
    assert not (cleaned.startswith("/") and "{" in cleaned)


def test_every_button_the_bot_shows_is_accepted(domain: dict[str, Any]) -> None:
    sent = {
        button["payload"]
        for variants in domain["responses"].values()
        for variant in variants
        for button in variant.get("buttons", [])
    }
    payloads = {payload.lstrip("/") for payload in sent if payload.startswith("/")}
    payloads |= set(INTENT_LABELS) | set(TOPIC_MENU) | {OTHER_PAYLOAD.lstrip("/")}
    assert payloads <= BUTTON_INTENTS
    # A button may also send plain words (the call-back's « Le matin »): the member's
    # text, read by the NLU and the form as if typed.
    for text in sent - {payload for payload in sent if payload.startswith("/")}:
        assert clean_message(text, BUTTON_INTENTS) == text
