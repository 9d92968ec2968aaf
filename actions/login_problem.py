"""Answer "je n'arrive pas à me connecter" once the diagnostic form knows the cause."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.dialogue.login_help import answer_for


class ActionAnswerLoginProblem(Action):
    """Give the help-document answer for the cause and forget it for next time."""

    def name(self) -> str:
        return "action_answer_login_problem"

    async def run(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: dict[str, Any],
    ) -> list[EventType]:
        dispatcher.utter_message(response=answer_for(tracker.get_slot("login_problem")))
        return [SlotSet("login_problem", None)]
