"""The first stage of the two-stage fallback, in French.

Rasa's default asks "Did you mean 'intent_name'?"; members need the intent in their
own words, so the labels come from ``bot.dialogue.intents``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.intents import clarification


class ActionDefaultAskAffirmation(Action):
    """Offer the classifier's best guesses as French buttons, or the topic menu."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        prompt = clarification(ranking)
        buttons = [{"title": b.title, "payload": b.payload} for b in prompt.buttons]
        dispatcher.utter_message(text=prompt.text, buttons=buttons)
        return []
