"""« Je veux parler à un conseiller », and the call-back form: thin adapters over ``bot.handoffs.request``.

Each database access is one unit of work (``session_scope``). A database failure is
told to the member in French (with ACS's phone number when it is set) and queues nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import make_engine, session_scope
from bot.db.enums import HandoffReason
from bot.db.models import utcnow
from bot.dialogue.reset import Reply
from bot.handoffs.request import (
    CALLBACK_OFFERED,
    FORM,
    OUTCOME_SLOT,
    QUEUED,
    SLOTS_TO_CLEAR,
    Answer,
    Checked,
    Conversation,
    answer_to_phone,
    answer_to_time_slot,
    ask_for_person,
    check_phone,
    check_time_slot,
    contact_replies,
    failed_twice,
    leave_callback,
    slots_to_ask,
)
from bot.settings import get_settings

logger = logging.getLogger(__name__)


def say(dispatcher: CollectingDispatcher, replies: list[Reply]) -> None:
    for reply in replies:
        dispatcher.utter_message(response=reply.response, **reply.values)


def conversation(tracker: Tracker) -> Conversation:
    return Conversation(tracker.sender_id, tracker.events, tracker.get_slot("member_ref"))


def unavailable(phone: str, hours: str) -> Answer:
    """The database failed: say so, with ACS's phone number when it is set."""
    return Answer([Reply("utter_handoff_unavailable"), *contact_replies(phone, hours)])


def hand_over(dispatcher: CollectingDispatcher, tracker: Tracker, reason: HandoffReason) -> list[EventType]:
    """The one path to a person, for both ways in; the events set ``handoff_outcome``."""
    settings = get_settings()
    try:
        with session_scope(make_engine(settings.database_url)) as session:
            answer = ask_for_person(
                session,
                conversation(tracker),
                reason,
                hours=settings.handoff_hours,
                contact_phone=settings.acs_contact_phone,
                contact_hours=settings.acs_contact_hours,
                now=utcnow(),
                presence=dt.timedelta(seconds=settings.agent_presence_seconds),
            )
    except SQLAlchemyError:
        logger.exception("hand-off request failed")
        answer = unavailable(settings.acs_contact_phone, settings.acs_contact_hours)
        answer.slots[OUTCOME_SLOT] = QUEUED  # nothing to offer: a call-back could not be stored either
    say(dispatcher, answer.replies)
    return [SlotSet(name, value) for name, value in answer.slots.items()]


class ActionRequestHuman(Action):
    """The member asked for a person: a live chat if an agent is there, else a call-back offer."""

    def name(self) -> str:
        return "action_request_human"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return hand_over(dispatcher, tracker, HandoffReason.ASKED)


class ActionDefaultFallback(Action):
    """Rasa's last resort, overridden: after two messages not understood, a person takes over.

    The two-stage fallback (data/rules/incomprehension.yml) calls it when the member's
    second message in a row is not understood; Rasa also calls it when no rule
    applies, which is not the member's doing: then it says ``utter_default``, as before.
    """

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if not failed_twice(tracker.events):
            dispatcher.utter_message(response="utter_default")
            return [UserUtteranceReverted()]
        events = hand_over(dispatcher, tracker, HandoffReason.BOT_FAILED)
        # The message not understood is forgotten, as Rasa's own fallback does; the
        # call-back form then starts (no rule can follow the fallback loop's end).
        followup = [FollowupAction(FORM)] if SlotSet(OUTCOME_SLOT, CALLBACK_OFFERED) in events else []
        return [UserUtteranceReverted(), *events, *followup]


class ValidateCallbackForm(FormValidationAction):
    """Call-back offered → the moment → the number (checked, at most 3 tries)."""

    def name(self) -> str:
        return "validate_callback_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return slots_to_ask(tracker.get_slot(OUTCOME_SLOT), tracker.get_slot("phone_attempts"))

    @staticmethod
    def _message(tracker: Tracker) -> tuple[str, str]:
        message = tracker.latest_message or {}
        return str(message.get("text") or ""), str((message.get("intent") or {}).get("name") or "")

    async def extract_callback_slot(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "callback_slot":
            return {}
        answer = answer_to_time_slot(*self._message(tracker), utcnow())
        return {} if answer is None else {"callback_slot": answer}

    async def extract_callback_phone(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") != "callback_phone":
            return {}
        answer = answer_to_phone(*self._message(tracker))
        return {} if answer is None else {"callback_phone": answer}

    @staticmethod
    def _tell(dispatcher: CollectingDispatcher, checked: Checked) -> dict[str, Any]:
        if checked.message:
            dispatcher.utter_message(text=checked.message)
        if checked.reply:
            say(dispatcher, [checked.reply])
        return checked.slots

    def validate_callback_slot(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._tell(dispatcher, check_time_slot(str(value or ""), utcnow()))

    def validate_callback_phone(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._tell(dispatcher, check_phone(str(value or ""), tracker.get_slot("phone_attempts")))


def _clear() -> list[EventType]:
    return [SlotSet(slot, None) for slot in SLOTS_TO_CLEAR]


class ActionSubmitCallback(Action):
    """Queue the call-back for the agents, and confirm with the masked number.

    Runs in the turn the number was given: the number is still whole in this
    tracker (the conversation store masks it), and it is cleared at once.
    """

    def name(self) -> str:
        return "action_submit_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if tracker.get_slot(OUTCOME_SLOT) != CALLBACK_OFFERED:
            return _clear()  # a live chat was queued: nothing to ask, nothing to add
        settings = get_settings()
        try:
            with session_scope(make_engine(settings.database_url)) as session:
                answer = leave_callback(
                    session,
                    conversation(tracker),
                    reason=tracker.get_slot("handoff_reason"),
                    time_slot=tracker.get_slot("callback_slot"),
                    phone=tracker.get_slot("callback_phone"),
                    phone_attempts=tracker.get_slot("phone_attempts"),
                    now=utcnow(),
                )
        except SQLAlchemyError:
            logger.exception("call-back request failed")
            answer = unavailable(settings.acs_contact_phone, settings.acs_contact_hours)
        say(dispatcher, answer.replies)
        return _clear()


class ActionStopCallback(Action):
    """The member does not want a call-back (any more): end the form, forget its answers."""

    def name(self) -> str:
        return "action_stop_callback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [ActiveLoop(None), SlotSet("requested_slot", None), *_clear()]
