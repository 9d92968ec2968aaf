"""« Je veux parler à un conseiller »: a thin adapter over ``bot.dialogue.contact``."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from bot.dialogue.contact import contact_reply
from bot.settings import get_settings


class ActionRequestHuman(Action):
    """Say how to reach ACS (from the settings) and that the bot cannot transfer yet."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = get_settings()
        reply = contact_reply(settings.acs_contact_phone, settings.acs_contact_hours)
        dispatcher.utter_message(response=reply.response, **reply.values)
        return []
