"""A member database holding one of every kind of record, at chosen ages, and a conversation store."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, insert

from bot.db.engine import session_scope
from bot.db.enums import (
    AgentRole,
    EmailStatus,
    HandoffAuthor,
    HandoffKind,
    HandoffReason,
    HandoffState,
    ResetChannel,
)
from bot.db.models import (
    Agent,
    AuditEvent,
    Handoff,
    HandoffMessage,
    Member,
    NirLookup,
    OutgoingEmail,
    PostalLetter,
    ResetRequest,
    utcnow,
)
from bot.members.lookup import hash_nir
from bot.workbench.tracker import EVENTS, METADATA, create_tracker_table

KEY = "test-key"
DAY = dt.timedelta(days=1)


def ago(days: float) -> dt.datetime:
    return utcnow() - dt.timedelta(days=days)


@pytest.fixture
def tracker(engine: Engine) -> Iterator[Engine]:
    """Rasa's ``events`` table, in the test database (as the workbench's tests do)."""
    create_tracker_table(engine)
    yield engine
    METADATA.drop_all(engine)


def add_events(tracker: Engine, sender: str, *ages_in_days: float, text: str = "bonjour") -> None:
    """One member message per age, as Rasa's store writes them."""
    with tracker.begin() as connection:
        for age in ages_in_days:
            at = ago(age).timestamp()
            data = {"event": "user", "timestamp": at, "text": text}
            connection.execute(
                insert(EVENTS).values(sender_id=sender, type_name="user", timestamp=at, data=json.dumps(data))
            )


def add_member(
    engine: Engine, nir: str, first_name: str = "Zoé", email: str | None = "zoe@example.org"
) -> int:
    with session_scope(engine) as session:
        member = Member(
            nir_hash=hash_nir(nir, KEY), first_name=first_name, last_name="Martin", email=email,
            street="1 rue de la Paix", postal_code="75002", city="Paris",
        )  # fmt: skip
        session.add(member)
        session.flush()
        return member.id


def add_agent(engine: Engine, login: str = "claire") -> int:
    with session_scope(engine) as session:
        agent = Agent(
            login=login,
            display_name=login.title(),
            password_hash="!",  # noqa: S106 - no hash at all: this agent never signs in
            role=AgentRole.CONSEILLER,
        )
        session.add(agent)
        session.flush()
        return agent.id


def add_reset(
    engine: Engine,
    member_id: int,
    age_days: float,
    *,
    email: EmailStatus | None = EmailStatus.SENT,
    letter_exported: bool | None = None,
) -> int:
    """A reset request of ``age_days`` with its email (status) or its letter (exported or not)."""
    at = ago(age_days)
    with session_scope(engine) as session:
        request = ResetRequest(
            member_id=member_id,
            channel=ResetChannel.EMAIL if letter_exported is None else ResetChannel.LETTER,
            created_at=at,
        )
        session.add(request)
        session.flush()
        if letter_exported is None and email is not None:
            session.add(
                OutgoingEmail(
                    reset_request_id=request.id, to_address="zoe@example.org", status=email, created_at=at
                )
            )
        if letter_exported is not None:
            session.add(
                PostalLetter(
                    reset_request_id=request.id,
                    created_at=at,
                    expected_by=(at + 8 * DAY).date(),
                    exported_at=at + DAY if letter_exported else None,
                )
            )
        return request.id


def add_handoff(
    engine: Engine,
    age_days: float,
    *,
    state: HandoffState = HandoffState.CLOSED,
    member_ref: str | None = None,
    conversation_id: str = "conv",
    phone: str | None = None,
) -> int:
    at = ago(age_days)
    with session_scope(engine) as session:
        handoff = Handoff(
            conversation_id=conversation_id, channel="web",
            kind=HandoffKind.CALLBACK if phone else HandoffKind.LIVE, reason=HandoffReason.ASKED,
            state=state, created_at=at, summary="Code perdu", member_ref=member_ref,
            transcript=[{"qui": "adherent", "texte": "j'ai perdu mon code"}], callback_phone=phone,
        )  # fmt: skip
        session.add(handoff)
        session.flush()
        session.add(
            HandoffMessage(
                handoff_id=handoff.id, created_at=at, author=HandoffAuthor.MEMBER, text="toujours là ?"
            )
        )
        return handoff.id


def add_lookup(engine: Engine, age_days: float, nir_hash: str | None = None) -> None:
    with session_scope(engine) as session:
        session.add(
            NirLookup(created_at=ago(age_days), client_hash="c" * 64, nir_hash=nir_hash, outcome="member")
        )


def add_audit_event(engine: Engine, age_days: float, member_id: int | None = None) -> None:
    with session_scope(engine) as session:
        session.add(
            AuditEvent(created_at=ago(age_days), kind="reset_requested", member_id=member_id, detail={})
        )
