"""« Le lien ne marche pas »: a thin adapter over ``bot.dialogue.reset_link``.

Modelled on ``ActionResetStatus``: one unit of work to read the member's latest
request when the member was looked up in this conversation; a database failure
falls back to the general explanation, which is true whatever the case.
"""

from __future__ import annotations

import logging

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import make_engine, session_scope
from bot.db.models import utcnow
from bot.dialogue.reset_link import reply_for_link
from bot.members.lookup import find_by_ref
from bot.resets.requests import ResetStatus, reset_status
from bot.settings import get_settings

logger = logging.getLogger(__name__)


class ActionResetLinkHelp(Action):
    """Explain why a reset link fails, and which case applies when the member is known."""

    def name(self) -> str:
        return "action_reset_link_help"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        settings = get_settings()
        member_ref = tracker.get_slot("member_ref")
        status: ResetStatus | None = None
        if member_ref:
            try:
                with session_scope(make_engine(settings.database_url)) as session:
                    member = find_by_ref(session, member_ref)
                    status = reset_status(session, member) if member else None
            except SQLAlchemyError:
                logger.exception("reset link status look-up failed")
        reply = reply_for_link(status, settings.reset_token_ttl_minutes, utcnow())
        dispatcher.utter_message(response=reply.response, **reply.values)
        return []
