"""The retention purge: what is past its period goes, what is inside it or still needed stays."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import DBAPIError

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, EmailStatus, HandoffState, ReviewDecisionKind
from bot.db.models import (
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
)
from bot.privacy.purge import purge
from bot.privacy.retention import RetentionPolicy, in_words
from bot.settings import load_settings
from bot.workbench.tracker import EVENTS
from tests.privacy.conftest import (
    add_agent,
    add_audit_event,
    add_events,
    add_handoff,
    add_lookup,
    add_member,
    add_reset,
    ago,
)
from tests.support.nirs import with_key

NIR = with_key("1840575123456")
POLICY = RetentionPolicy.from_settings(load_settings(environ={}))  # the defaults: 90, 90, 180, 365, 365
JUST = 0.01  # about a quarter of an hour: "just inside" or "just past" a period


def count(engine: Engine, model: type[Base]) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def senders(tracker: Engine) -> list[str]:
    with tracker.connect() as connection:
        return sorted(set(connection.execute(select(EVENTS.c.sender_id)).scalars()))


def fill(engine: Engine, tracker: Engine) -> None:
    """Records of every kind, one just past its period and one just inside it."""
    member = add_member(engine, NIR)
    agent = add_agent(engine)
    add_events(tracker, "ancienne", 200, 90 + JUST)
    add_events(tracker, "active", 200, 90 - JUST)  # an old start, but a message inside the period
    add_handoff(engine, 90 + JUST)
    add_handoff(engine, 90 - JUST, conversation_id="autre")
    add_lookup(engine, 180 + JUST)
    add_lookup(engine, 180 - JUST)
    add_reset(engine, member, 365 + JUST)
    add_reset(engine, member, 365 + JUST, letter_exported=True)
    add_reset(engine, member, 365 - JUST)
    add_audit_event(engine, 365 + JUST, member)
    add_audit_event(engine, 365 - JUST, member)
    with session_scope(engine) as session:
        for age in (90 + JUST, 90 - JUST):
            session.add(
                ReviewDecision(
                    event_id=1, conversation_id=f"c{age}", decision=ReviewDecisionKind.DISCARDED,
                    reviewer="zoe", decided_at=ago(age), text="bonjour",
                )
            )  # fmt: skip
            session.add(ReviewFlag(conversation_id="c", agent_login="claire", created_at=ago(age)))
            # A member's « Non » to « Cette réponse vous a aidé ? »: kept as long as conversations.
            session.add(
                AnswerFeedback(conversation_id=f"c{age}", event_id=1, helpful=False, created_at=ago(age))
            )
        for age in (180 + JUST, 180 - JUST):
            session.add(
                AgentSignInAttempt(created_at=ago(age), login="claire", client_hash="c" * 64, succeeded=True)
            )
            session.add(
                AgentSession(token_hash=f"{age}", agent_id=agent, created_at=ago(age), last_seen_at=ago(age))
            )
        for age in (365 + JUST, 365 - JUST):
            audit.record(session, "claire", AgentAction.SIGN_IN, now=ago(age))


EXPECTED = {
    "events": 2,
    "review_decisions": 1,
    "review_flags": 1,
    "answer_feedback": 1,
    "handoffs": 1,
    "nir_lookups": 1,
    "agent_sign_in_attempts": 1,
    "agent_sessions": 1,
    "reset_requests": 2,
    "audit_events": 1,
    "agent_audit": 1,
}


def test_dry_run_counts_what_would_go_and_deletes_nothing(engine: Engine, tracker: Engine) -> None:
    fill(engine, tracker)
    before = {table: count(engine, model) for table, model in _models().items()}
    report = purge(engine, tracker, POLICY, dry_run=True)
    assert report.dry_run
    assert report.counts() == EXPECTED
    assert {table: count(engine, model) for table, model in _models().items()} == before
    assert senders(tracker) == ["active", "ancienne"]


def test_purge_deletes_what_is_past_its_period_and_keeps_what_is_inside(
    engine: Engine, tracker: Engine
) -> None:
    fill(engine, tracker)
    report = purge(engine, tracker, POLICY)
    assert report.counts() == EXPECTED
    assert senders(tracker) == ["active"]
    with tracker.connect() as connection:  # the whole conversation stays, its old messages too
        assert connection.scalar(select(func.count()).select_from(EVENTS)) == 2
    assert count(engine, Handoff) == 1
    assert count(engine, HandoffMessage) == 1  # the purged hand-off's message went with it
    assert count(engine, ResetRequest) == 1
    assert count(engine, OutgoingEmail) == 1
    assert count(engine, PostalLetter) == 0
    for model in (
        NirLookup, AuditEvent, AgentAuditEntry, ReviewDecision, ReviewFlag, AnswerFeedback, AgentSignInAttempt
    ):  # fmt: skip
        assert count(engine, model) == 1, model.__tablename__
    again = purge(engine, tracker, POLICY)
    assert again.total == 0


def test_what_is_still_needed_stays_whatever_its_age(engine: Engine, tracker: Engine) -> None:
    member = add_member(engine, NIR)
    add_handoff(engine, 400, state=HandoffState.WAITING)
    add_handoff(engine, 400, state=HandoffState.ACTIVE, conversation_id="autre")
    add_reset(engine, member, 400, email=EmailStatus.PENDING)
    add_reset(engine, member, 400, letter_exported=False)
    report = purge(engine, tracker, POLICY)
    assert report.total == 0
    assert count(engine, Handoff) == 2
    assert count(engine, ResetRequest) == 2


def test_shorter_periods_from_the_settings_are_obeyed(engine: Engine, tracker: Engine) -> None:
    add_handoff(engine, 8)
    add_lookup(engine, 8)
    short = RetentionPolicy.from_settings(
        load_settings(environ={"RETENTION_HANDOFFS_DAYS": "7", "RETENTION_NIR_LOOKUPS_DAYS": "9"})
    )
    assert short.handoffs.days == 7
    report = purge(engine, tracker, short)
    assert report.counts()["handoffs"] == 1
    assert report.counts()["nir_lookups"] == 0


def test_purge_without_a_conversation_store_yet(engine: Engine) -> None:
    """Rasa creates ``events`` on its first turn: before that, nothing to purge there."""
    report = purge(engine, engine, POLICY)
    assert report.counts()["events"] == 0


def test_the_database_still_refuses_to_delete_a_recent_audit_line(engine: Engine) -> None:
    """Even if the purge were asked to (a bug, or a period under the floor), the trigger says no."""
    with session_scope(engine) as session:
        audit.record(session, "claire", AgentAction.SIGN_IN, now=ago(170))
    too_short = dataclasses.replace(POLICY, audit=dataclasses.replace(POLICY.audit, days=100))
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        purge(engine, None, too_short)
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM agent_audit"))
    assert count(engine, AgentAuditEntry) == 1


def _models() -> dict[str, type[Base]]:
    return {
        model.__tablename__: model
        for model in (
            Handoff, HandoffMessage, NirLookup, ResetRequest, OutgoingEmail, PostalLetter, AuditEvent,
            AgentAuditEntry, ReviewDecision, ReviewFlag, AnswerFeedback, AgentSignInAttempt, AgentSession,
        )
    }  # fmt: skip


def test_periods_in_words() -> None:
    assert [in_words(days) for days in (1, 90, 180, 365, 730)] == [
        "1 jour",
        "90 jours",
        "180 jours",
        "1 an",
        "2 ans",
    ]
