"""The reset form and the "rien reçu ?" answers: thin adapters over ``bot.dialogue.reset``.

Each database access is one unit of work (``session_scope``). A database failure
is told to the member in French and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from bot.db.engine import make_engine, session_scope
from bot.db.models import Member, utcnow
from bot.dialogue.reset import (
    CheckedNir,
    Reply,
    attempts_exhausted,
    check_nir,
    checked_nir,
    confirmation_question,
    kept_for_later,
    nir_in_message,
    offer_question,
    reply_for_outcome,
    reply_for_status,
    reset_wanted_for_known_number,
    slots_to_ask,
    volunteered_slots,
    wants_reset_now,
)
from bot.limits.clients import client_hash, client_of, network_of
from bot.limits.lookups import LookupRefused, record_outcome, reserve_lookup
from bot.members.lookup import find_by_ref
from bot.resets.requests import reset_status
from bot.resets.service import ByMember, ask_for_new_code
from bot.settings import get_settings

logger = logging.getLogger(__name__)

FORM_SLOTS_TO_CLEAR = ("reset_wanted", "nir", "reset_confirmed", "reset_destination", "lookup_paused")
# The bot's own actions, skipped when looking for what the bot last said.
_NOT_SPOKEN = frozenset({"action_listen", "action_extract_slots", "action_session_start"})


def limited_lookup(
    session: Session, client: str, now: dt.datetime, network: str | None = None
) -> Callable[[str], Member | LookupRefused | None]:
    """``find_by_ref`` behind the look-up limits (client, network, all), audited in the same unit of work."""

    def find(member_ref: str) -> Member | LookupRefused | None:
        reserved = reserve_lookup(session, client, now, get_settings().lookups_per_minute, network)
        if isinstance(reserved, LookupRefused):
            return reserved
        member = find_by_ref(session, member_ref)
        record_outcome(reserved, member_ref, member is not None)
        return member

    return find


def say(dispatcher: CollectingDispatcher, reply: Reply) -> None:
    dispatcher.utter_message(response=reply.response, **reply.values)


def check_typed_nir(typed: str, tracker: Tracker) -> CheckedNir | None:
    """Verify and look up a typed NIR behind the look-up limits; None if the database failed.

    The one path for every number, asked for or not: same checks, same limits, same
    attempt count.
    """
    settings = get_settings()
    attempts = int(tracker.get_slot("nir_attempts") or 0)
    label = client_of(tracker.events)
    client = client_hash(label, settings.nir_hash_key)
    network = client_hash(network_of(label), settings.nir_hash_key)
    now = utcnow()
    try:
        with session_scope(make_engine(settings.database_url)) as session:
            lookup = limited_lookup(session, client, now, network)
            result = check_nir(typed, settings.nir_hash_key, lookup, now)
    except SQLAlchemyError:
        logger.exception("member look-up failed")
        return None
    return checked_nir(result, attempts)


def tell(dispatcher: CollectingDispatcher, checked: CheckedNir) -> None:
    if checked.message:
        dispatcher.utter_message(text=checked.message)
    elif checked.reply:
        say(dispatcher, checked.reply)


class ValidateResetForm(FormValidationAction):
    """Offer → NIR (verified, looked up, at most 3 tries) → confirmation."""

    def name(self) -> str:
        return "validate_reset_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        return slots_to_ask(
            domain_slots,
            reset_wanted=tracker.get_slot("reset_wanted"),
            attempts=tracker.get_slot("nir_attempts"),
            member_ref=tracker.get_slot("member_ref"),
            destination=tracker.get_slot("reset_destination"),
            lookup_paused=bool(tracker.get_slot("lookup_paused")),
        )

    async def extract_reset_wanted(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A wish for a code answers the offer when the number was checked earlier."""
        return reset_wanted_for_known_number(
            tracker.get_slot("reset_wanted"),
            tracker.get_slot("member_ref"),
            tracker.get_slot("reset_destination"),
            (tracker.latest_message.get("intent") or {}).get("name") or "",
        )

    def validate_nir(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        checked = check_typed_nir(str(value or ""), tracker)
        if checked is None:
            dispatcher.utter_message(response="utter_reset_unavailable")
            return {"nir": None}
        tell(dispatcher, checked)
        return checked.slots


class ActionAskResetWanted(Action):
    """The offer: "Je lance la demande ?", or whether to use the number the member gave."""

    def name(self) -> str:
        return "action_ask_reset_wanted"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, offer_question(tracker.get_slot("member_ref"), tracker.get_slot("reset_destination")))
        return []


def previous_bot_action(events: list[dict[str, Any]]) -> str | None:
    """The bot's last action before the latest user message (listening aside)."""
    seen_user = False
    for event in reversed(events):
        if event.get("event") == "user":
            seen_user = True
        elif seen_user and event.get("event") == "action" and event.get("name") not in _NOT_SPOKEN:
            return str(event.get("name"))
    return None


class ActionTakeVolunteeredNir(Action):
    """A NIR the member gave before being asked: checked now, then the reset form goes on.

    The number is checked in the turn it was typed (the conversation store only keeps
    it masked): only the member's keyed hash survives, in ``member_ref``.
    """

    def name(self) -> str:
        return "action_take_volunteered_nir"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        wish = wants_reset_now(
            (message.get("intent") or {}).get("name") or "",
            previous_bot_action(tracker.events),
            message.get("text") or "",
        )
        if attempts_exhausted(tracker.get_slot("nir_attempts")):
            # No more look-ups in this conversation: the form says so and ends.
            return [SlotSet("reset_wanted", True), SlotSet("member_ref", None)]
        checked = check_typed_nir(
            nir_in_message(message.get("text") or "", message.get("entities") or []), tracker
        )
        if checked is None:
            dispatcher.utter_message(response="utter_reset_unavailable")  # says when to retry
            return [SlotSet("reset_wanted", True), SlotSet("lookup_paused", True)]
        tell(dispatcher, checked)
        return [SlotSet(name, value) for name, value in volunteered_slots(checked, wish).items()]


class ActionTakeDiagnosticNir(Action):
    """A NIR typed during the login diagnostic: checked now and kept (hashed) for a request.

    The diagnostic goes on; if the member then asks for a new code, the request goes
    straight to the confirmation (``ValidateResetForm.extract_reset_wanted``).
    """

    def name(self) -> str:
        return "action_take_diagnostic_nir"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        message = tracker.latest_message or {}
        checked = None
        if not attempts_exhausted(tracker.get_slot("nir_attempts")):
            checked = check_typed_nir(
                nir_in_message(message.get("text") or "", message.get("entities") or []), tracker
            )
        kept = kept_for_later(checked)
        for said in kept.said:
            if isinstance(said, Reply):
                say(dispatcher, said)
            else:
                dispatcher.utter_message(text=said)
        return [SlotSet(name, value) for name, value in kept.slots.items()]


class ActionStopReset(Action):
    """End the request for a new code and forget its answers (the member's number included).

    Used instead of ``action_deactivate_loop`` so that a later request starts afresh:
    an answer left over (the offer accepted, a verified number) would otherwise be
    taken for the new request's.
    """

    def name(self) -> str:
        return "action_stop_reset"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        return [ActiveLoop(None), SlotSet("requested_slot", None)] + [
            SlotSet(slot, None) for slot in FORM_SLOTS_TO_CLEAR
        ]


class ActionAskResetConfirmed(Action):
    """Ask to confirm, naming the masked email or announcing a letter."""

    def name(self) -> str:
        return "action_ask_reset_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        say(dispatcher, confirmation_question(tracker.get_slot("reset_destination") or None))
        return []


class ActionSubmitReset(Action):
    """Record the request (email or letter) once the member confirmed."""

    def name(self) -> str:
        return "action_submit_reset"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        clear = [SlotSet(slot, None) for slot in FORM_SLOTS_TO_CLEAR]
        member_ref = tracker.get_slot("member_ref")
        if tracker.get_slot("reset_wanted") is False:
            dispatcher.utter_message(response="utter_reset_declined")
            return clear
        if not member_ref:
            if not tracker.get_slot("lookup_paused"):  # else the member was already told when to retry
                dispatcher.utter_message(response="utter_nir_attempts_exhausted")
            return clear
        if tracker.get_slot("reset_confirmed") is not True:
            dispatcher.utter_message(response="utter_reset_cancelled")
            return clear
        settings = get_settings()
        now = utcnow()
        try:
            with session_scope(make_engine(settings.database_url)) as session:
                member = find_by_ref(session, member_ref)
                if member is None:
                    dispatcher.utter_message(response="utter_nir_unknown")
                    return clear
                by = ByMember(client_hash(client_of(tracker.events), settings.nir_hash_key))
                outcome = ask_for_new_code(session, member, by, now, settings.reset_requests_per_minute)
        except SQLAlchemyError:
            logger.exception("reset request failed")
            dispatcher.utter_message(response="utter_reset_unavailable")
            return clear
        say(dispatcher, reply_for_outcome(outcome, settings.reset_token_ttl_minutes, now))
        return clear


class ActionResetStatus(Action):
    """ "Je n'ai pas reçu l'e-mail / le courrier": from the database when we know the member."""

    def name(self) -> str:
        return "action_reset_status"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        intent = (tracker.latest_message.get("intent") or {}).get("name") or ""
        member_ref = tracker.get_slot("member_ref")
        status = None
        if member_ref:
            settings = get_settings()
            try:
                with session_scope(make_engine(settings.database_url)) as session:
                    member = find_by_ref(session, member_ref)
                    status = reset_status(session, member) if member else None
            except SQLAlchemyError:
                logger.exception("reset status look-up failed")
        say(dispatcher, reply_for_status(status, intent, utcnow()))
        return []
