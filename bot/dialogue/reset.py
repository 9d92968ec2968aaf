"""What the bot says and checks while it asks for a new access code.

The Rasa actions in ``actions/reset.py`` are thin: they call these functions and
utter the replies they return. A reply names a response of the domain (so
trainers can reword it) and the values to fill in.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.db.enums import EmailStatus, ResetChannel
from bot.db.models import Member
from bot.limits.lookups import LookupRefused
from bot.members.lookup import hash_nir
from bot.resets.requests import (
    AlreadyOnItsWay,
    ClientLimitReached,
    DailyLimitReached,
    EmailQueued,
    LetterQueued,
    ResetOutcome,
    ResetStatus,
)
from bot.rules import french_time
from bot.rules.masking import mask_email
from bot.rules.nir import InvalidNir, mask_nir, normalize_nir

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
    if isinstance(outcome, ClientLimitReached):
        response = "utter_lookup_paused" if outcome.everyone else "utter_reset_client_limited"
        return Reply(response, {"retry_after": french_time.retry_when(outcome.retry_after, now)})
    if isinstance(outcome, DailyLimitReached):
        return Reply("utter_reset_daily_limit", {"retry_after": french_time.moment(outcome.retry_after, now)})
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
