"""Custom actions, run with rasa-sdk trackers as the action server would."""

from __future__ import annotations

import asyncio
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.fallback import ActionDefaultAskAffirmation
from actions.login_problem import ActionAnswerLoginProblem


def tracker(slots: dict[str, Any] | None = None, latest: dict[str, Any] | None = None) -> Tracker:
    return Tracker(
        sender_id="test",
        slots=slots or {},
        latest_message=latest or {},
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )


def run(action: Any, t: Tracker, domain: dict[str, Any]) -> tuple[list[dict[str, Any]], list[Any]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, t, domain))
    return dispatcher.messages, events


def test_login_problem_answer_matches_the_cause_and_clears_it(domain: dict[str, Any]) -> None:
    messages, events = run(ActionAnswerLoginProblem(), tracker({"login_problem": "code_refuse"}), domain)
    assert [m["response"] for m in messages] == ["utter_personalized_code_rejected"]
    assert events == [SlotSet("login_problem", None)]


def test_login_problem_without_cause_gets_the_general_answer(domain: dict[str, Any]) -> None:
    messages, _ = run(ActionAnswerLoginProblem(), tracker({"login_problem": None}), domain)
    assert messages[0]["response"] in domain["responses"]


def test_affirmation_offers_french_labels_of_the_top_intents(domain: dict[str, Any]) -> None:
    latest = {
        "text": "kod pa recu",
        "intent": {"name": "nlu_fallback", "confidence": 0.5},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.5},
            {"name": "email_not_received", "confidence": 0.3},
            {"name": "postal_letter", "confidence": 0.25},
        ],
    }
    messages, events = run(ActionDefaultAskAffirmation(), tracker(latest=latest), domain)
    assert events == []
    (message,) = messages
    assert "Vouliez-vous dire" in message["text"]
    assert [b["payload"] for b in message["buttons"]] == [
        "/email_not_received",
        "/postal_letter",
        "/out_of_scope",
    ]
    assert message["buttons"][0]["title"] == "Je n'ai pas reçu l'e-mail de réinitialisation"
    assert "kod pa recu" not in str(message)


def test_affirmation_without_ranking_offers_the_topics(domain: dict[str, Any]) -> None:
    messages, _ = run(ActionDefaultAskAffirmation(), tracker(latest={"text": ""}), domain)
    payloads = [b["payload"] for b in messages[0]["buttons"]]
    assert "/request_human" in payloads and "/forgot_access_code" in payloads
