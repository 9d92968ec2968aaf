"""The retention purge: delete what is past its period (``bot.privacy.retention``), or count it.

One pass goes over every kind of record, oldest rules first, and deletes in small
batches, each its own transaction: a long purge never holds locks on a busy table
for long, and a pass cut short (a restart, an error) has lost nothing, the next one
carries on. Every delete is idempotent ("rows older than X"), so two processes purging
at once cannot harm each other; ``bot.privacy.schedule`` still lets only one run.

Records that are still needed are never purged, whatever their age: an open hand-off,
a letter not yet exported, an email not yet sent. The conversation store (Rasa's
``events``, another database) loses whole conversations, once their last event is past
the period, so that a conversation never comes back half-remembered.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import Engine, Select, and_, delete, func, inspect, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from bot.db.engine import session_scope
from bot.db.enums import EmailStatus
from bot.db.models import (
    OPEN_HANDOFF_STATES,
    AgentAuditEntry,
    AgentSession,
    AgentSignInAttempt,
    AnswerFeedback,
    AuditEvent,
    Base,
    Handoff,
    HandoffMessage,
    NirLookup,
    OutgoingEmail,
    PostalLetter,
    ResetRequest,
    ReviewDecision,
    ReviewFlag,
    utcnow,
)
from bot.privacy.retention import RetentionPolicy
from bot.workbench.tracker import EVENTS, to_timestamp

BATCH_SIZE = 500
# Emails that may still leave: their request is kept until they are sent or given up on.
UNSENT = (EmailStatus.PENDING.value, EmailStatus.SENDING.value)


@dataclass(frozen=True)
class PurgeLine:
    """How many records of one table were (or would be) deleted, under which period."""

    category: str  # a Category key of bot.privacy.retention
    table: str
    label: str  # French, for the operator
    count: int


@dataclass
class PurgeReport:
    """What one pass deleted, or would delete with ``dry_run``."""

    dry_run: bool
    lines: list[PurgeLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(line.count for line in self.lines)

    def counts(self) -> dict[str, int]:
        """``table: count`` for every table, what the audit log records."""
        return {line.table: line.count for line in self.lines}


@dataclass(frozen=True)
class _Target:
    """One table to purge: the ids past their period, and the children to delete with them."""

    category: str
    model: type[Base]
    label: str
    ids: Callable[[dt.datetime], Select[tuple[int]]]
    children: tuple[tuple[type[Base], InstrumentedAttribute[int]], ...] = ()


def _older(
    model: type[Base], column: InstrumentedAttribute[dt.datetime]
) -> Callable[[dt.datetime], Select[tuple[int]]]:
    return lambda cutoff: select(model.id).where(column < cutoff)  # type: ignore[attr-defined]


def _closed_handoffs(cutoff: dt.datetime) -> Select[tuple[int]]:
    return select(Handoff.id).where(Handoff.created_at < cutoff, Handoff.state.not_in(OPEN_HANDOFF_STATES))


def _finished_resets(cutoff: dt.datetime) -> Select[tuple[int]]:
    """Requests past their period whose email has left (or failed) and whose letter was exported."""
    unsent = select(OutgoingEmail.reset_request_id).where(OutgoingEmail.status.in_(UNSENT))
    unexported = select(PostalLetter.reset_request_id).where(PostalLetter.exported_at.is_(None))
    return select(ResetRequest.id).where(
        ResetRequest.created_at < cutoff, ResetRequest.id.not_in(unsent), ResetRequest.id.not_in(unexported)
    )


def _ended_sessions(cutoff: dt.datetime) -> Select[tuple[int]]:
    return select(AgentSession.id).where(
        or_(
            and_(AgentSession.ended_at.is_not(None), AgentSession.ended_at < cutoff),
            AgentSession.last_seen_at < cutoff,
        )
    )


TARGETS: tuple[_Target, ...] = (
    _Target(
        "conversations",
        ReviewDecision,
        "décisions des formateurs sur des messages",
        _older(ReviewDecision, ReviewDecision.decided_at),
    ),
    _Target(
        "conversations",
        ReviewFlag,
        "conversations signalées aux formateurs",
        _older(ReviewFlag, ReviewFlag.created_at),
    ),
    _Target(
        "conversations",
        AnswerFeedback,
        "avis des adhérents sur les réponses (« Cette réponse vous a aidé ? »)",
        _older(AnswerFeedback, AnswerFeedback.created_at),
    ),
    _Target(
        "handoffs",
        Handoff,
        "prises en charge terminées (avec leurs messages)",
        _closed_handoffs,
        ((HandoffMessage, HandoffMessage.handoff_id),),
    ),
    _Target(
        "nir_lookups",
        NirLookup,
        "recherches par numéro de Sécurité sociale",
        _older(NirLookup, NirLookup.created_at),
    ),
    _Target(
        "nir_lookups",
        AgentSignInAttempt,
        "tentatives de connexion des conseillers",
        _older(AgentSignInAttempt, AgentSignInAttempt.created_at),
    ),
    _Target("nir_lookups", AgentSession, "sessions de console terminées", _ended_sessions),
    _Target(
        "resets",
        ResetRequest,
        "demandes de nouveau code (avec leurs e-mails et courriers)",
        _finished_resets,
        ((OutgoingEmail, OutgoingEmail.reset_request_id), (PostalLetter, PostalLetter.reset_request_id)),
    ),
    _Target("audit", AuditEvent, "journal des événements", _older(AuditEvent, AuditEvent.created_at)),
    _Target(
        "audit",
        AgentAuditEntry,
        "journal des conseillers",
        _older(AgentAuditEntry, AgentAuditEntry.created_at),
    ),
)


def _purge_table(engine: Engine, target: _Target, cutoff: dt.datetime, dry_run: bool) -> int:
    query = target.ids(cutoff)
    if dry_run:
        with engine.connect() as connection:
            return int(connection.scalar(select(func.count()).select_from(query.subquery())) or 0)
    deleted = 0
    while True:
        with session_scope(engine) as session:
            ids = list(session.scalars(query.order_by(target.model.id).limit(BATCH_SIZE)))  # type: ignore[attr-defined]
            if not ids:
                return deleted
            for child, column in target.children:
                session.execute(delete(child).where(column.in_(ids)))
            session.execute(delete(target.model).where(target.model.id.in_(ids)))  # type: ignore[attr-defined]
        deleted += len(ids)


def _purge_conversations(tracker: Engine, cutoff: dt.datetime, dry_run: bool) -> int:
    """Whole conversations of the conversation store whose last event is past the period."""
    if not inspect(tracker).has_table(EVENTS.name):
        return 0  # Rasa has not written anything yet
    stale = (
        select(EVENTS.c.sender_id)
        .group_by(EVENTS.c.sender_id)
        .having(func.max(EVENTS.c.timestamp) < to_timestamp(cutoff))
    )
    if dry_run:
        with tracker.connect() as connection:
            return int(
                connection.scalar(
                    select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(stale))
                )
                or 0
            )
    deleted = 0
    while True:
        with tracker.begin() as connection:
            senders = list(connection.scalars(stale.order_by(EVENTS.c.sender_id).limit(BATCH_SIZE // 10)))
            if not senders:
                return deleted
            deleted += connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(senders))).rowcount


def purge(
    engine: Engine,
    tracker: Engine | None,
    policy: RetentionPolicy,
    *,
    dry_run: bool = False,
    now: dt.datetime | None = None,
) -> PurgeReport:
    """Delete (or count, with ``dry_run``) every record past its period; ``tracker`` None skips the store."""
    now = now or utcnow()
    periods = {category.key: category for category in policy.categories()}
    report = PurgeReport(dry_run=dry_run)
    if tracker is not None:
        count = _purge_conversations(tracker, periods["conversations"].cutoff(now), dry_run)
        report.lines.append(
            PurgeLine("conversations", "events", "messages et événements des conversations", count)
        )
    for target in TARGETS:
        count = _purge_table(engine, target, periods[target.category].cutoff(now), dry_run)
        report.lines.append(PurgeLine(target.category, target.model.__tablename__, target.label, count))
    return report
