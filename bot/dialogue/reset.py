"""What the bot says and checks while it asks for a new access code.

The Rasa actions in ``actions/reset.py`` are thin: they call these functions and
utter the replies they return. A reply names a response of the domain (so
trainers can reword it) and the values to fill in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.db.enums import EmailStatus, ResetChannel
from bot.db.models import Member
from bot.limits.lookups import LookupRefused
from bot.members.lookup import hash_nir
from bot.resets.requests import (
    AlreadyOnItsWay,
    EmailQueued,
    LetterQueued,
    LimitReached,
    LimitScope,
    ResetOutcome,
    ResetStatus,
)
from bot.rules import french_time
from bot.rules.masking import mask_email
from bot.rules.nir import InvalidNir, mask_nir, normalize_nir
from bot.shared.patterns import NIR_CANDIDATE

MAX_NIR_ATTEMPTS = 3


@dataclass(frozen=True)
class Reply:
    """A response of the domain and the values for its {placeholders}."""

    response: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NirRefused:
    """The number is malformed or unknown: say ``message`` or ``reply``, count an attempt."""

    message: str | None = None
    reply: Reply | None = None


@dataclass(frozen=True)
class MemberFound:
    """The member exists: remember the keyed hash, show the masked number and destination."""

    member_ref: str
    masked_nir: str
    masked_email: str | None


def attempts_exhausted(attempts: float | None) -> bool:
    return (attempts or 0) >= MAX_NIR_ATTEMPTS


@dataclass(frozen=True)
class LookupPaused:
    """The look-up limits refused to check the number: say when to retry; not the member's fault."""

    reply: Reply


def check_nir(
    typed: str,
    key: str,
    find_by_ref: Callable[[str], Member | LookupRefused | None],
    now: dt.datetime,
) -> NirRefused | MemberFound | LookupPaused:
    """Verify the typed NIR, then look the member up by its keyed hash with ``find_by_ref``.

    The look-up is passed in (``bot.members.lookup.find_by_ref`` bound to a session,
    behind the look-up limits of ``bot.limits.lookups``), so this module decides what
    to say and never queries the database itself. A malformed number is refused
    before any look-up: it costs the client nothing.
    """
    try:
        nir = normalize_nir(typed)
    except InvalidNir as error:
        return NirRefused(message=error.message)
    member_ref = hash_nir(nir, key)
    member = find_by_ref(member_ref)
    if isinstance(member, LookupRefused):
        response = "utter_lookup_paused" if member.everyone else "utter_lookup_limited"
        return LookupPaused(Reply(response, {"retry_after": french_time.retry_when(member.retry_at, now)}))
    if member is None:
        return NirRefused(reply=Reply("utter_nir_unknown"))
    return MemberFound(
        member_ref=member_ref,
        masked_nir=mask_nir(nir),
        masked_email=mask_email(member.email) if member.email else None,
    )


def confirmation_question(masked_email: str | None) -> Reply:
    if masked_email:
        return Reply("utter_ask_reset_confirmed_email", {"masked_email": masked_email})
    return Reply("utter_ask_reset_confirmed_letter")


def reply_for_outcome(outcome: ResetOutcome, ttl_minutes: int, now: dt.datetime) -> Reply:
    """What to tell the member once the request is recorded (or refused)."""
    if isinstance(outcome, EmailQueued):
        return Reply(
            "utter_reset_email_queued",
            {"masked_email": outcome.masked_email, "ttl_minutes": str(ttl_minutes)},
        )
    if isinstance(outcome, LetterQueued):
        return Reply("utter_reset_letter_queued", {"expected_by": french_time.day(outcome.expected_by)})
    if isinstance(outcome, AlreadyOnItsWay):
        requested = french_time.moment(outcome.requested_at, now)
        if outcome.channel == ResetChannel.EMAIL:
            state = "a été envoyé à" if outcome.email_sent else "est en cours d'envoi vers"
            return Reply(
                "utter_reset_email_on_its_way",
                {"email_state": state, "masked_email": outcome.masked_email or "", "requested_at": requested},
            )
        expected = french_time.day(outcome.expected_by) if outcome.expected_by else ""
        return Reply("utter_reset_letter_on_its_way", {"requested_at": requested, "expected_by": expected})
    if isinstance(outcome, LimitReached):
        if outcome.scope is LimitScope.MEMBER:
            return Reply(
                "utter_reset_daily_limit", {"retry_after": french_time.moment(outcome.retry_after, now)}
            )
        response = (
            "utter_lookup_paused" if outcome.scope is LimitScope.EVERYONE else "utter_reset_client_limited"
        )
        return Reply(response, {"retry_after": french_time.retry_when(outcome.retry_after, now)})
    raise TypeError(f"unknown outcome {outcome!r}")


def reply_for_status(status: ResetStatus | None, intent: str, now: dt.datetime) -> Reply:
    """Answer "je n'ai rien reçu" from what the database knows, or from the help document."""
    if status is None:
        return Reply("utter_postal_letter" if intent == "postal_letter" else "utter_email_not_received")
    requested = french_time.moment(status.requested_at, now)
    if status.channel == ResetChannel.LETTER:
        expected = french_time.day(status.expected_by) if status.expected_by else ""
        return Reply("utter_status_letter", {"requested_at": requested, "expected_by": expected})
    email = status.masked_email or ""
    if status.link_used:
        return Reply("utter_status_link_used", {"masked_email": email})
    if status.email_status == EmailStatus.FAILED:
        return Reply("utter_status_email_failed", {"masked_email": email})
    if status.email_status == EmailStatus.SENT and status.email_sent_at is not None:
        expires = french_time.until(status.link_expires_at, now) if status.link_expires_at else ""
        return Reply(
            "utter_status_email_sent",
            {
                "masked_email": email,
                "sent_at": french_time.moment(status.email_sent_at, now),
                "expires_at": expires,
            },
        )
    return Reply("utter_status_email_pending", {"masked_email": email, "requested_at": requested})


# --- What the form asks next, and numbers members give before being asked ------------

# After these actions of the bot, the conversation is about a new access code: a
# number typed alone right then is meant for that request.
RESET_TOPIC_ACTIONS = frozenset(
    {"utter_forgot_access_code", "utter_no_email_address", "action_submit_reset", "action_reset_status"}
)
# A message of these intents holding a NIR asks for a new code with that number.
WISH_INTENTS = frozenset({"forgot_access_code", "no_email_address"})


def slots_to_ask(
    domain_slots: list[str],
    *,
    reset_wanted: bool | None,
    attempts: float | None,
    member_ref: str | None,
    destination: str | None,
    lookup_paused: bool,
) -> list[str]:
    """The reset form's questions, in order, given what the conversation already settled.

    An empty list ends the form: the member said no, three numbers were refused, or
    the look-up limits paused the search (the member was told when to retry). A
    number already verified for this request (``destination`` is only set by a
    successful look-up, and cleared whenever the request ends) is not asked again:
    that is how a number the member gave before the question is used.
    """
    if reset_wanted is False:
        return []
    if attempts_exhausted(attempts) and not member_ref:
        return []
    if lookup_paused:
        return []
    if member_ref and destination is not None:
        return [slot for slot in domain_slots if slot != "nir"]
    return domain_slots


def offer_question(member_ref: str | None, destination: str | None) -> Reply:
    """ "Je lance la demande ?", or, for a number the member gave unasked, whether to use it.

    The second question names neither the number nor the member: whether the number
    belongs to a member is only said once the member asked for the request.
    """
    if member_ref and destination is not None:
        return Reply("utter_ask_reset_with_given_nir")
    return Reply("utter_ask_reset_wanted")


def wants_reset_now(intent: str, previous_action: str | None) -> bool:
    """Whether a NIR in this message goes straight into the request, or is offered first.

    It goes straight on when the message also asks for a code ("voici mon numéro …,
    je voudrais un nouveau code") or comes right after the bot spoke about a new
    code; a number given with nothing else only earns the question.
    """
    return intent in WISH_INTENTS or previous_action in RESET_TOPIC_ACTIONS


def nir_in_message(text: str, entities: list[dict[str, Any]]) -> str:
    """What the member typed as their NIR: the ``nir`` entity, else the NIR-like part, else all."""
    for entity in entities:
        if entity.get("entity") == "nir" and isinstance(entity.get("value"), str):
            return str(entity["value"])
    match = NIR_CANDIDATE.search(text or "")
    return match.group() if match else text or ""


@dataclass(frozen=True)
class CheckedNir:
    """The slots a checked number sets, and what to tell the member (at most one of the two)."""

    slots: dict[str, Any]
    message: str | None = None
    reply: Reply | None = None


def checked_nir(result: NirRefused | MemberFound | LookupPaused, attempts: int) -> CheckedNir:
    """Slots and words for the outcome of ``check_nir``, the same whoever asked for the check.

    The NIR itself is never among the slots: a found member leaves its keyed hash
    (``member_ref``) and the masked number; a refused number counts an attempt and
    says why, unless it was the last one (the form then says so itself).
    """
    if isinstance(result, LookupPaused):
        return CheckedNir({"nir": None, "member_ref": None, "lookup_paused": True}, reply=result.reply)
    if isinstance(result, MemberFound):
        return CheckedNir(
            {
                "nir": result.masked_nir,
                "member_ref": result.member_ref,
                "reset_destination": result.masked_email or "",
            }
        )
    attempts += 1
    slots: dict[str, Any] = {"nir": None, "member_ref": None, "nir_attempts": float(attempts)}
    if attempts_exhausted(attempts):
        return CheckedNir(slots)
    return CheckedNir(slots, message=result.message, reply=None if result.message else result.reply)


def volunteered_slots(checked: CheckedNir, wish: bool) -> dict[str, Any]:
    """Slots for a number the member gave before the form asked for it.

    The ``nir`` slot stays empty (the form would check it again, and the tracker
    store only keeps it masked): the verified member is known by ``member_ref`` and
    ``reset_destination``, which ``slots_to_ask`` reads. A found member who did not
    ask for anything is asked first (``reset_wanted`` stays empty); otherwise the
    request is under way, and a refused number is asked again.
    """
    slots = {name: value for name, value in checked.slots.items() if name != "nir"}
    found = bool(slots.get("member_ref"))
    slots["reset_wanted"] = True if wish or not found else None
    return slots
