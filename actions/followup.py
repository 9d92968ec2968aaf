"""« Pourquoi ? » after an answer, and messages in another language: thin adapters over
``bot.dialogue.followup``."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.dialogue.followup import (
    OTHER_LANGUAGE,
    WHICH_TOPIC,
    last_turn_responses,
    response_to_develop,
    topic_menu,
)
from bot.settings import get_settings


def _menu() -> list[dict[str, str]]:
    return [{"title": b.title, "payload": b.payload} for b in topic_menu()]


class ActionExplainMore(Action):
    """Develop the help answer the bot just gave, or ask which topic the member means."""

    def name(self) -> str:
        return "action_explain_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        detail = response_to_develop(last_turn_responses(tracker.events))
        if detail is None:
            dispatcher.utter_message(text=WHICH_TOPIC, buttons=_menu())
        else:
            # The reset-link explanation names the link's lifetime, a setting.
            ttl = str(get_settings().reset_token_ttl_minutes)
            dispatcher.utter_message(response=detail, ttl_minutes=ttl)
        return []


class ActionAnswerOtherLanguage(Action):
    """Say, in French, that Sésame answers in French, and offer the topic menu."""

    def name(self) -> str:
        return "action_answer_other_language"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=OTHER_LANGUAGE, buttons=_menu())
        return []
