"""The issue #10 actions: reset-link help, follow-ups, other languages (agents: test_handoff_actions.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import Engine

from actions.followup import ActionAnswerOtherLanguage, ActionExplainMore
from actions.reset_link import ActionResetLinkHelp
from bot.db.engine import session_scope
from bot.db.models import Member, utcnow
from bot.members.lookup import hash_nir
from bot.resets.requests import request_reset
from tests.support.nirs import with_key

KEY = "test-key"
NIR = with_key("2950675123045")


def tracker(slots: dict[str, Any] | None = None, events: list[dict[str, Any]] | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message={"text": "", "intent": {"name": "x", "confidence": 1.0}},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(
    action: Action, slots: dict[str, Any] | None = None, events: list[dict[str, Any]] | None = None
) -> list[dict[str, Any]]:
    dispatcher = CollectingDispatcher()
    asyncio.run(action.run(dispatcher, tracker(slots, events), {}))
    messages: list[dict[str, Any]] = dispatcher.messages
    return messages


def test_link_help_without_a_known_member_explains_the_cases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RESET_TOKEN_TTL_MINUTES", "45")
    [message] = run(ActionResetLinkHelp())
    assert (message["response"], message["ttl_minutes"]) == ("utter_reset_link_help", "45")


def test_link_help_for_a_known_member_reads_the_database(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    ref = hash_nir(NIR, KEY)
    with session_scope(engine) as session:
        member = Member(
            nir_hash=ref, first_name="Zoé", last_name="Martin", email="jeanne.dupont@exemple.fr",
            street="1 rue de la Paix", postal_code="75002", city="Paris",
        )  # fmt: skip
        session.add(member)
        session.flush()
        request_reset(session, member, utcnow())
    [message] = run(ActionResetLinkHelp(), {"member_ref": ref})
    assert message["response"] == "utter_link_status_pending"
    assert message["masked_email"] == "j•••@e•••.fr"


def test_explain_more_develops_the_captcha_answer() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "text": "captcha"},
        {"event": "bot", "text": "…", "metadata": {"utter_action": "utter_too_many_attempts"}},
        {"event": "user", "text": "et ça veut dire quoi exactement ?"},
    ]
    [message] = run(ActionExplainMore(), events=events)
    assert message["response"] == "utter_too_many_attempts_detail"


def test_explain_more_without_an_answer_asks_which_topic() -> None:
    [message] = run(ActionExplainMore(), events=[{"event": "user", "text": "pourquoi ?"}])
    assert "quel sujet" in message["text"] and message["buttons"]


def test_other_language_answers_in_french_with_the_menu() -> None:
    [message] = run(ActionAnswerOtherLanguage())
    assert "français" in message["text"]
    assert message["buttons"][0]["payload"] == "/cannot_login"
