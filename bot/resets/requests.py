"""Ask for a new access code on a member's behalf, within limits that stop abuse.

The help document: if ACS knows the member's email, a reset email arrives within
minutes; otherwise a letter with the access code reaches the postal address within
8 days. A request here queues one or the other in the same transaction as the
request itself, so nothing is half-done: the outbox worker (``bot.mail.worker``) sends
the email, ``./sesame letters export`` prints the letters.

Limits: at most ``MAX_REQUESTS_PER_DAY`` requests per member per 24 hours, and a
request while an earlier one is still on its way says what is coming instead of
sending another.
"""

from __future__ import annotations

import datetime as dt
import enum
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from bot.db.enums import AuditKind, EmailStatus, ResetChannel
from bot.db.models import AuditEvent, Member, OutgoingEmail, PostalLetter, ResetRequest, utcnow
from bot.limits.lookups import serialise
from bot.resets.links import still_usable
from bot.rules.masking import mask_email

logger = logging.getLogger(__name__)

MAX_REQUESTS_PER_DAY = 3
# Per client (keyed hash of its address, bot.limits.clients) and for everyone: one
# client asking for many members, or a flood, is stopped whatever the members.
MAX_REQUESTS_PER_CLIENT_PER_DAY = 5
GLOBAL_REQUESTS_PER_MINUTE = 30
LETTER_DELAY = dt.timedelta(days=8)
# An email not yet sent, or sent less than this long ago with its link still
# unused, is "on its way": asking again would only multiply emails.
EMAIL_IN_FLIGHT = dt.timedelta(minutes=15)
# The lock key of agents' requests (``serialise`` wants a client hash: any fixed hex).
AGENTS_LOCK_KEY = "a9e7" * 16


@dataclass(frozen=True)
class EmailQueued:
    """A reset email is in the outbox, to the masked address."""

    masked_email: str


@dataclass(frozen=True)
class LetterQueued:
    """A letter will be printed and posted; it should arrive by ``expected_by``."""

    expected_by: dt.date


@dataclass(frozen=True)
class AlreadyOnItsWay:
    """An earlier request is still on its way; nothing new was queued."""

    channel: ResetChannel
    requested_at: dt.datetime
    masked_email: str | None
    expected_by: dt.date | None
    email_sent: bool


class LimitScope(enum.Enum):
    """Whose limit refused the request: each gets its own French answer."""

    MEMBER = "member"  # MAX_REQUESTS_PER_DAY for this member
    CLIENT = "client"  # MAX_REQUESTS_PER_CLIENT_PER_DAY for this client
    EVERYONE = "everyone"  # GLOBAL_REQUESTS_PER_MINUTE


@dataclass(frozen=True)
class LimitReached:
    """Nothing was queued: a limit of ``scope`` holds until ``retry_after``."""

    scope: LimitScope
    retry_after: dt.datetime


ResetOutcome = EmailQueued | LetterQueued | AlreadyOnItsWay | LimitReached


@dataclass(frozen=True)
class ResetStatus:
    """What the database knows of a member's latest request, for "rien reçu ?" questions."""

    channel: ResetChannel
    requested_at: dt.datetime
    masked_email: str | None
    email_status: EmailStatus | None
    email_sent_at: dt.datetime | None
    link_expires_at: dt.datetime | None
    link_used: bool
    expected_by: dt.date | None


def _latest_request(session: Session, member: Member) -> ResetRequest | None:
    return session.scalars(
        select(ResetRequest)
        .where(ResetRequest.member_id == member.id)
        .order_by(ResetRequest.created_at.desc(), ResetRequest.id.desc())
        .limit(1)
    ).first()


def _on_its_way(request: ResetRequest, now: dt.datetime) -> bool:
    if request.channel == ResetChannel.LETTER:
        return request.letter is not None and now.date() <= request.letter.expected_by
    email = request.email
    if email is None or email.status == EmailStatus.FAILED or request.token_used_at is not None:
        return False
    if email.status in (EmailStatus.PENDING, EmailStatus.SENDING):
        return True
    sent_recently = email.sent_at is not None and now - email.sent_at < EMAIL_IN_FLIGHT
    link_alive = request.token_expires_at is None or request.token_expires_at > now
    return sent_recently and link_alive


def _describe_pending(request: ResetRequest) -> AlreadyOnItsWay:
    email = request.email
    return AlreadyOnItsWay(
        channel=request.channel,
        requested_at=request.created_at,
        masked_email=mask_email(email.to_address) if email else None,
        expected_by=request.letter.expected_by if request.letter else None,
        email_sent=bool(email and email.status == EmailStatus.SENT),
    )


def _global_count_exceeded(session: Session, now: dt.datetime, per_minute: int) -> LimitReached | None:
    overall = session.scalar(
        select(func.count()).where(ResetRequest.created_at > now - dt.timedelta(minutes=1))
    )
    if (overall or 0) >= per_minute:
        logger.warning("Demandes de nouveau code en pause : plus de %d en une minute.", per_minute)
        return LimitReached(LimitScope.EVERYONE, now + dt.timedelta(minutes=1))
    return None


def _global_limit(session: Session, now: dt.datetime, per_minute: int) -> LimitReached | None:
    """The global limit alone (an agent's request), counted under the limits' lock."""
    serialise(session, AGENTS_LOCK_KEY)
    return _global_count_exceeded(session, now, per_minute)


def _client_limit(
    session: Session, client_hash: str, now: dt.datetime, per_minute: int
) -> LimitReached | None:
    """The per-client and global limits on requests, counted under the limits' lock."""
    serialise(session, client_hash)
    everyone = _global_count_exceeded(session, now, per_minute)
    if everyone is not None:
        return everyone
    recent = session.scalars(
        select(ResetRequest.created_at)
        .where(
            ResetRequest.client_hash == client_hash, ResetRequest.created_at > now - dt.timedelta(hours=24)
        )
        .order_by(ResetRequest.created_at)
    ).all()
    if len(recent) >= MAX_REQUESTS_PER_CLIENT_PER_DAY:
        first_to_expire = recent[len(recent) - MAX_REQUESTS_PER_CLIENT_PER_DAY]
        return LimitReached(LimitScope.CLIENT, first_to_expire + dt.timedelta(hours=24))
    return None


def _end_older_links(session: Session, member: Member, now: dt.datetime) -> None:
    """Only the newest request's link works: a new request ends the member's older links.

    Otherwise a member holding two emails could use the older one, and neither the
    member nor the bot could tell which link is the good one. Their state becomes
    "expired" for the reset page.
    """
    session.execute(
        update(ResetRequest)
        .where(ResetRequest.member_id == member.id, *still_usable(now))
        .values(token_expires_at=now)
        .execution_options(synchronize_session="fetch")
    )
    # An email still waiting in the outbox has no link yet: the worker would mint a
    # working one when it sends it. It is withdrawn instead (an agent chose a letter).
    session.execute(
        update(OutgoingEmail)
        .where(
            OutgoingEmail.status == EmailStatus.PENDING,
            OutgoingEmail.reset_request_id.in_(
                select(ResetRequest.id).where(ResetRequest.member_id == member.id)
            ),
        )
        .values(status=EmailStatus.WITHDRAWN)
        .execution_options(synchronize_session="fetch")
    )


def request_reset(
    session: Session,
    member: Member,
    now: dt.datetime | None = None,
    client_hash: str | None = None,
    *,
    channel: ResetChannel | None = None,
    agent_id: int | None = None,
    per_minute: int = GLOBAL_REQUESTS_PER_MINUTE,
) -> ResetOutcome:
    """Queue a reset email (email known) or a postal letter (no email), within the limits.

    Runs inside the caller's unit of work: the request, its email or letter and
    the audit event are committed together or not at all. ``client_hash`` (a member
    in the chat) adds the per-client and global limits. An agent (``agent_id``, the
    console) may choose the ``channel`` — a letter although an email is known, when
    the member cannot read that mailbox — and is held by the global limit and the
    member's own; a channel the member cannot receive raises ``ValueError``.
    """
    now = now or utcnow()
    if channel == ResetChannel.EMAIL and not member.email:
        raise ValueError("no email address on file: only a letter is possible")
    limited = None
    if client_hash is not None:
        limited = _client_limit(session, client_hash, now, per_minute)
    elif agent_id is not None:
        limited = _global_limit(session, now, per_minute)
    if limited is not None:
        session.add(
            AuditEvent(
                kind=AuditKind.RESET_LIMITED, member_id=member.id, detail={"limit": limited.scope.value}
            )
        )
        return limited
    latest = _latest_request(session, member)
    same_channel = channel is None or (latest is not None and latest.channel == channel)
    if latest is not None and same_channel and _on_its_way(latest, now):
        session.add(
            AuditEvent(kind=AuditKind.RESET_REPEATED, member_id=member.id, detail={"channel": latest.channel})
        )
        return _describe_pending(latest)

    window_start = now - dt.timedelta(hours=24)
    recent = session.scalars(
        select(ResetRequest.created_at)
        .where(ResetRequest.member_id == member.id, ResetRequest.created_at > window_start)
        .order_by(ResetRequest.created_at)
    ).all()
    if len(recent) >= MAX_REQUESTS_PER_DAY:
        session.add(
            AuditEvent(kind=AuditKind.RESET_LIMITED, member_id=member.id, detail={"in_24h": len(recent)})
        )
        return LimitReached(LimitScope.MEMBER, recent[0] + dt.timedelta(hours=24))

    _end_older_links(session, member, now)
    chosen = channel or (ResetChannel.EMAIL if member.email else ResetChannel.LETTER)
    if chosen == ResetChannel.EMAIL and member.email:
        request = ResetRequest(
            member=member,
            channel=ResetChannel.EMAIL,
            created_at=now,
            client_hash=client_hash,
            agent_id=agent_id,
        )
        session.add(OutgoingEmail(reset_request=request, to_address=member.email, next_attempt_at=now))
        outcome: ResetOutcome = EmailQueued(masked_email=mask_email(member.email))
    else:
        request = ResetRequest(
            member=member,
            channel=ResetChannel.LETTER,
            created_at=now,
            client_hash=client_hash,
            agent_id=agent_id,
        )
        expected_by = (now + LETTER_DELAY).date()
        session.add(PostalLetter(reset_request=request, created_at=now, expected_by=expected_by))
        outcome = LetterQueued(expected_by=expected_by)
    session.add(request)
    detail: dict[str, object] = {"channel": request.channel}
    if agent_id is not None:
        detail["agent_id"] = agent_id
    session.add(AuditEvent(kind=AuditKind.RESET_REQUESTED, member_id=member.id, detail=detail))
    return outcome


def reset_status(session: Session, member: Member) -> ResetStatus | None:
    """The member's latest request and where it stands; None if they never asked."""
    latest = _latest_request(session, member)
    if latest is None:
        return None
    email = latest.email
    return ResetStatus(
        channel=latest.channel,
        requested_at=latest.created_at,
        masked_email=mask_email(email.to_address) if email else None,
        email_status=email.status if email else None,
        email_sent_at=email.sent_at if email else None,
        link_expires_at=latest.token_expires_at,
        link_used=latest.token_used_at is not None,
        expected_by=latest.letter.expected_by if latest.letter else None,
    )
