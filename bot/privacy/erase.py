"""Erase one member from Sésame (the right to erasure), for the data-protection officer.

Deleted: the member's file, their reset requests with the emails and letters (an
unsent email or an unprinted letter is withdrawn with them), the look-ups of their
NIR, their hand-offs with messages, the trainers' decisions and flags about those
conversations, the member's « Oui » / « Non » to the widget's « Cette réponse vous a
aidé ? » in them, and the conversations themselves in the conversation store. The
events log (``audit_events``) keeps its lines about them without the link to the
member (``member_id`` emptied): counts stay right, nobody is named.

Kept: the agents' audit log (``agent_audit``). It is append-only by design, so that
nobody can hide what was done to a member's file (a legal obligation of security,
GDPR art. 17(3)(b) and (e)); its lines name the member only by the keyed hash of the
NIR, which identifies nobody once the member's file is gone, and the retention purge
deletes them at the end of ``RETENTION_AUDIT_DAYS``. The erasure itself is written there.

A member in a live hand-off or waiting for a call-back is not erased: the agent would
lose the conversation under their eyes. ``ErasureRefused`` says so in French.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, Select, delete, func, inspect, select, update
from sqlalchemy.orm import Session

from bot.db.models import (
    OPEN_HANDOFF_STATES,
    AgentAuditEntry,
    AnswerFeedback,
    AuditEvent,
    Handoff,
    HandoffMessage,
    Member,
    NirLookup,
    OutgoingEmail,
    PostalLetter,
    ResetRequest,
    ReviewDecision,
    ReviewFlag,
)
from bot.workbench.tracker import EVENTS


class ErasureRefused(Exception):
    """The member cannot be erased now; ``str()`` is French, for the operator."""


@dataclass
class ErasurePlan:
    """What erasing one member deletes, table by table, and what it keeps."""

    member_found: bool
    conversations: list[str]
    deleted: dict[str, int] = field(default_factory=dict)
    anonymised_events: int = 0
    kept_agent_audit: int = 0

    @property
    def total(self) -> int:
        return sum(self.deleted.values())


def _count(session: Session, query: Select[tuple[int]]) -> int:
    return session.scalar(select(func.count()).select_from(query.subquery())) or 0


def plan_erasure(session: Session, nir_hash: str, tracker: Engine | None = None) -> ErasurePlan:
    """Count what ``erase`` would delete; ``ErasureRefused`` if a hand-off of the member is open."""
    member_id = session.scalar(select(Member.id).where(Member.nir_hash == nir_hash))
    handoffs = session.scalars(select(Handoff).where(Handoff.member_ref == nir_hash)).all()
    if any(h.state.value in OPEN_HANDOFF_STATES for h in handoffs):
        raise ErasureRefused(
            "Une prise en charge de cet adhérent est en cours (discussion ou rappel en attente) : "
            "effacez-le quand elle sera terminée."
        )
    conversations = sorted({h.conversation_id for h in handoffs})
    handoff_ids = [h.id for h in handoffs]
    requests = select(ResetRequest.id).where(ResetRequest.member_id == member_id)
    plan = ErasurePlan(member_found=member_id is not None, conversations=conversations)
    plan.deleted = {
        "members": int(member_id is not None),
        "reset_requests": _count(session, requests),
        "outbox": _count(
            session, select(OutgoingEmail.id).where(OutgoingEmail.reset_request_id.in_(requests))
        ),
        "postal_letters": _count(
            session, select(PostalLetter.id).where(PostalLetter.reset_request_id.in_(requests))
        ),
        "nir_lookups": _count(session, select(NirLookup.id).where(NirLookup.nir_hash == nir_hash)),
        "handoffs": len(handoff_ids),
        "handoff_messages": _count(
            session, select(HandoffMessage.id).where(HandoffMessage.handoff_id.in_(handoff_ids))
        ),
        "review_decisions": _count(
            session, select(ReviewDecision.id).where(ReviewDecision.conversation_id.in_(conversations))
        ),
        "review_flags": _count(
            session, select(ReviewFlag.id).where(ReviewFlag.conversation_id.in_(conversations))
        ),
        "answer_feedback": _count(
            session, select(AnswerFeedback.id).where(AnswerFeedback.conversation_id.in_(conversations))
        ),
        "events": _tracker_count(tracker, conversations),
    }
    plan.anonymised_events = _count(session, select(AuditEvent.id).where(AuditEvent.member_id == member_id))
    plan.kept_agent_audit = _count(
        session, select(AgentAuditEntry.id).where(AgentAuditEntry.nir_hash == nir_hash)
    )
    return plan


def _tracker_count(tracker: Engine | None, conversations: list[str]) -> int:
    if tracker is None or not conversations or not inspect(tracker).has_table(EVENTS.name):
        return 0
    with tracker.connect() as connection:
        query = select(func.count()).select_from(EVENTS).where(EVENTS.c.sender_id.in_(conversations))
        return int(connection.scalar(query) or 0)


def erase(session: Session, nir_hash: str, tracker: Engine | None = None) -> ErasurePlan:
    """Delete the member's records in the caller's unit of work (the store's conversations at once).

    The conversation store is another database: its events are deleted first, so that
    a failure there leaves the member database untouched and the erasure can be run again.
    """
    plan = plan_erasure(session, nir_hash, tracker)
    if tracker is not None and plan.deleted["events"]:
        with tracker.begin() as connection:
            connection.execute(delete(EVENTS).where(EVENTS.c.sender_id.in_(plan.conversations)))
    member_id = session.scalar(select(Member.id).where(Member.nir_hash == nir_hash))
    handoff_ids = select(Handoff.id).where(Handoff.member_ref == nir_hash)
    requests = select(ResetRequest.id).where(ResetRequest.member_id == member_id)
    session.execute(delete(ReviewDecision).where(ReviewDecision.conversation_id.in_(plan.conversations)))
    session.execute(delete(ReviewFlag).where(ReviewFlag.conversation_id.in_(plan.conversations)))
    session.execute(delete(AnswerFeedback).where(AnswerFeedback.conversation_id.in_(plan.conversations)))
    session.execute(delete(HandoffMessage).where(HandoffMessage.handoff_id.in_(handoff_ids)))
    session.execute(delete(Handoff).where(Handoff.member_ref == nir_hash))
    session.execute(delete(NirLookup).where(NirLookup.nir_hash == nir_hash))
    if member_id is not None:
        session.execute(delete(OutgoingEmail).where(OutgoingEmail.reset_request_id.in_(requests)))
        session.execute(delete(PostalLetter).where(PostalLetter.reset_request_id.in_(requests)))
        session.execute(delete(ResetRequest).where(ResetRequest.member_id == member_id))
        session.execute(update(AuditEvent).where(AuditEvent.member_id == member_id).values(member_id=None))
        session.execute(delete(Member).where(Member.id == member_id))
    return plan
