"""The first stage of the two-stage fallback, in French.

Rasa's default asks "Did you mean 'intent_name'?"; members need the intent in their
own words, so the labels come from ``bot.intent_labels``.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from bot.intent_labels import suggestions

AFFIRMATION_QUESTION = "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous dire :"


class ActionDefaultAskAffirmation(Action):
    """Offer the classifier's best guesses as French buttons, plus « Autre chose »."""

    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        ranking = tracker.latest_message.get("intent_ranking") or []
        buttons = [{"title": s.title, "payload": s.payload} for s in suggestions(ranking)]
        dispatcher.utter_message(text=AFFIRMATION_QUESTION, buttons=buttons)
        return []
