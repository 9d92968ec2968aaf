"""Deliver reset emails from the outbox, minting each link's token at send time.

The outbox never holds a token: a row only says "this member should get a reset
email". When a worker sends it, in one transaction it claims the row
(``pending`` → ``sending``, a single compare-and-set UPDATE so that two workers
never send the same email), mints a token and stores its hash and expiry on the
reset request. Only then does it talk to SMTP, and afterwards it marks the row
``sent``. The clear token lives in this process's memory and in the email, nowhere
else.

If SMTP fails the row goes back to ``pending`` with an exponential backoff; after
``MAX_ATTEMPTS`` tries (or at once if the server refuses the address for good) it
is ``failed`` and an audit event says so. While a row is ``sending``, its
``next_attempt_at`` is the end of the worker's lease: a row still ``sending`` after
its lease belongs to a crashed worker and is put back in the queue. Such an email
may then be sent twice (the crash may have come after SMTP accepted it); the second
email's token replaces the first, so only the newest link works.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.enums import AuditKind, EmailStatus, StrEnum
from bot.db.models import AuditEvent, Member, OutgoingEmail, ResetRequest
from bot.mail.smtp import describe_error, is_permanent
from bot.rules.tokens import mint_token

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(minutes=30)
# While the SMTP server is unreachable, how often the queue tries again.
SMTP_DOWN_RETRY = dt.timedelta(seconds=30)
# How long a worker may keep a row in "sending" before another worker takes it
# back; far above SMTP_TIMEOUT_SECONDS so a live worker never loses its row.
SENDING_LEASE = dt.timedelta(minutes=5)
INTERRUPTED = "envoi interrompu (worker arrêté pendant l'envoi)"


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1 min, 2 min… at most 30 min."""
    doublings = min(max(attempts - 1, 0), 16)  # bounded: 2**16 * 30 s is far past the cap
    wait: dt.timedelta = BACKOFF_FIRST * 2**doublings
    return min(wait, BACKOFF_CAP)


@dataclass(frozen=True)
class Claim:
    """An email this worker now owns; ``token`` is the only clear copy of the link's token."""

    outbox_id: int
    member_id: int
    first_name: str
    to_address: str
    attempts: int
    token: str = field(repr=False)  # never in a log line, even by accident


def claim_next(session: Session, now: dt.datetime, ttl_minutes: int) -> Claim | None:
    """Take the most overdue pending email and mint its link's token, in ``session``.

    One UPDATE both picks and claims the row: on PostgreSQL its sub-select skips
    rows another worker has locked, and the ``status = 'pending'`` guard makes the
    claim a compare-and-set everywhere; on SQLite the UPDATE takes the write lock
    first, so two workers cannot deadlock. The caller commits.
    """
    due = (
        select(OutgoingEmail.id)
        .where(OutgoingEmail.status == EmailStatus.PENDING, OutgoingEmail.next_attempt_at <= now)
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == due, OutgoingEmail.status == EmailStatus.PENDING)
        .values(
            status=EmailStatus.SENDING,
            attempts=OutgoingEmail.attempts + 1,
            next_attempt_at=now + SENDING_LEASE,
        )
        .returning(
            OutgoingEmail.id, OutgoingEmail.reset_request_id, OutgoingEmail.to_address, OutgoingEmail.attempts
        )
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    outbox_id, request_id, to_address, attempts = claimed
    request = session.get_one(ResetRequest, request_id)
    token, token_hash = mint_token()
    request.token_hash = token_hash
    request.token_expires_at = now + dt.timedelta(minutes=ttl_minutes)
    member: Member = request.member
    return Claim(outbox_id, member.id, member.first_name, to_address, attempts, token)


def _audit(session: Session, kind: AuditKind, member_id: int | None, **detail: object) -> None:
    session.add(AuditEvent(kind=kind, member_id=member_id, detail=detail))


def _audit_claim(session: Session, kind: AuditKind, claim: Claim, **detail: object) -> None:
    _audit(session, kind, claim.member_id, outbox_id=claim.outbox_id, attempts=claim.attempts, **detail)


def mark_sent(engine: Engine, claim: Claim, now: dt.datetime) -> bool:
    """Record a successful send; False if the row was no longer ours (lease lost)."""
    with session_scope(engine) as session:
        done = session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == claim.outbox_id, OutgoingEmail.status == EmailStatus.SENDING)
            .values(status=EmailStatus.SENT, sent_at=now)
            .returning(OutgoingEmail.id)
            .execution_options(synchronize_session=False)
        ).first()
        if done is not None:
            _audit_claim(session, AuditKind.RESET_EMAIL_SENT, claim)
        return done is not None


class FailureOutcome(StrEnum):
    """What ``record_failure`` did with an email that could not be sent."""

    POSTPONED = "postponed"  # back in the queue, tried again later
    FAILED = "failed"  # given up on
    LOST = "lost"  # the row was no longer ours: another worker took it back


def record_failure(
    engine: Engine, claim: Claim, exc: BaseException, now: dt.datetime, *, server_unreachable: bool = False
) -> FailureOutcome:
    """Put the email back in the queue after a backoff, or give up; returns POSTPONED or FAILED.

    When the SMTP server cannot be reached at all the email is not at fault: the
    try is not counted and it is retried every ``SMTP_DOWN_RETRY``, however long
    the outage lasts, so nothing is lost. Returns LOST if the row was no longer
    ours (another worker took it back).
    """
    error = describe_error(exc)
    give_up = not server_unreachable and (is_permanent(exc) or claim.attempts >= MAX_ATTEMPTS)
    values: dict[str, object] = {"last_error": error}
    if give_up:
        values["status"] = EmailStatus.FAILED
    elif server_unreachable:
        values.update(
            status=EmailStatus.PENDING,
            attempts=OutgoingEmail.attempts - 1,
            next_attempt_at=now + SMTP_DOWN_RETRY,
        )
    else:
        values.update(status=EmailStatus.PENDING, next_attempt_at=now + backoff(claim.attempts))
    with session_scope(engine) as session:
        done = session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == claim.outbox_id, OutgoingEmail.status == EmailStatus.SENDING)
            .values(**values)
            .returning(OutgoingEmail.id)
            .execution_options(synchronize_session=False)
        ).first()
        if done is None:
            return FailureOutcome.LOST
        if give_up:
            _audit_claim(session, AuditKind.RESET_EMAIL_FAILED, claim, error=error)
    return FailureOutcome.FAILED if give_up else FailureOutcome.POSTPONED


def reclaim_stale(engine: Engine, now: dt.datetime) -> int:
    """Put back in the queue the emails of workers that died while sending them.

    A row whose lease ran out with no tries left is failed (and audited) instead.
    """
    stale = (OutgoingEmail.status == EmailStatus.SENDING, OutgoingEmail.next_attempt_at < now)
    with session_scope(engine) as session:
        given_up = session.execute(
            update(OutgoingEmail)
            .where(*stale, OutgoingEmail.attempts >= MAX_ATTEMPTS)
            .values(status=EmailStatus.FAILED, last_error=INTERRUPTED)
            .returning(OutgoingEmail.id, OutgoingEmail.reset_request_id, OutgoingEmail.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        for outbox_id, request_id, attempts in given_up:
            member_id = session.scalar(select(ResetRequest.member_id).where(ResetRequest.id == request_id))
            _audit(
                session,
                AuditKind.RESET_EMAIL_FAILED,
                member_id,
                outbox_id=outbox_id,
                attempts=attempts,
                error=INTERRUPTED,
            )
        requeued = session.execute(
            update(OutgoingEmail)
            .where(*stale)
            .values(status=EmailStatus.PENDING, last_error=INTERRUPTED, next_attempt_at=now)
            .returning(OutgoingEmail.id)
            .execution_options(synchronize_session=False)
        ).all()
    for (outbox_id,) in requeued:
        logger.warning("E-mail n°%s repris après l'arrêt d'un worker pendant son envoi.", outbox_id)
    return len(requeued) + len(given_up)
