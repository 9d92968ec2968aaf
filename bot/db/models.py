"""Tables of the member database.

Secrets are never stored in clear: a member is found by a keyed hash of the NIR
(``nir_hash``), the access code is an Argon2 hash, a reset link's token is stored
as its SHA-256. An outgoing email holds no token: the delivery worker mints the
token when it sends the email (see ``bot.mail.outbox``), so the link exists only in the
email itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Generic, TypeVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from bot.db.enums import (
    AgentRole,
    AuditKind,
    EmailStatus,
    HandoffAuthor,
    HandoffKind,
    HandoffReason,
    HandoffState,
    ResetChannel,
    ReviewDecisionKind,
    StrEnum,
)

__all__ = [
    "NAMING_CONVENTION",
    "Agent",
    "AgentAuditEntry",
    "AgentRole",
    "AgentSession",
    "AgentSignInAttempt",
    "AnswerFeedback",
    "AuditEvent",
    "AuditKind",
    "Base",
    "EmailStatus",
    "Handoff",
    "HandoffMessage",
    "Member",
    "OutgoingEmail",
    "PostalLetter",
    "ResetChannel",
    "ResetRequest",
    "ReviewDecision",
    "ReviewDecisionKind",
    "ReviewFlag",
    "StrEnumColumn",
    "UTCDateTime",
    "utcnow",
]

# SQLAlchemy's recipe: every constraint and index gets a predictable name, the same
# on SQLite and PostgreSQL, so that a later migration can drop or alter it by name
# instead of guessing what each database called it (migration 0002 renamed them).
NAMING_CONVENTION: dict[str, str] = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

E = TypeVar("E", bound=StrEnum)


def utcnow() -> dt.datetime:
    """Now, timezone-aware in UTC: the one clock of the code (times are stored in UTC)."""
    return dt.datetime.now(dt.timezone.utc)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: use timezone-aware UTC datetimes")
        return value.astimezone(dt.timezone.utc)

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if not isinstance(value, dt.datetime):
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc)


class StrEnumColumn(TypeDecorator[E], Generic[E]):
    """A closed set of words (``bot.db.enums``) stored as plain ``VARCHAR``.

    Not a database ENUM type: adding a value then needs no migration, and the stored
    strings are those the code wrote before the enums existed. A value outside the
    set is refused on the way in, and rows come back as enum members.
    """

    impl = String
    cache_ok = True

    def __init__(self, enum_class: type[E], length: int) -> None:
        super().__init__(length)
        self.enum_class = enum_class

    def process_bind_param(self, value: E | str | None, dialect: Dialect) -> str | None:
        return None if value is None else self.enum_class(value).value

    def process_result_value(self, value: Any, dialect: Dialect) -> E | None:
        return None if value is None else self.enum_class(value)


class Base(DeclarativeBase):
    """Base of every table; Alembic migrations describe the same schema."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Member(Base):
    """A member the bot can help: found by NIR, reached by email or by post.

    Only what the bot uses. The member space's own state (first login done, terms
    accepted, failed log-in count) lived here unused and was dropped by migration
    0002: the bot never knew it, and a stale copy would have been worse than none.
    """

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    nir_hash: Mapped[str] = mapped_column(String(64), unique=True, index=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254))
    street: Mapped[str] = mapped_column(String(200))
    postal_code: Mapped[str] = mapped_column(String(10))
    city: Mapped[str] = mapped_column(String(100))
    access_code_hash: Mapped[str | None] = mapped_column(String(200))
    # The code a letter carries, until the member first uses it: the current code
    # stays valid meanwhile, so a stranger who knows the NIR cannot lock them out.
    pending_access_code_hash: Mapped[str | None] = mapped_column(String(200))
    # Birth month and two-digit year from the NIR: all the "not your birth date"
    # check of a new access code needs (months 20-42/50-99 mean unknown: None).
    birth_year2: Mapped[int | None] = mapped_column(SmallInteger)
    birth_month: Mapped[int | None] = mapped_column(SmallInteger)
    # Keyed hashes of every 6 consecutive digits of the NIR (bot.rules.nir_windows), never the digits.
    nir_window_hashes: Mapped[list[str] | None] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    reset_requests: Mapped[list[ResetRequest]] = relationship(back_populates="member")


class ResetRequest(Base):
    """One request for a new access code, answered by email or by letter."""

    __tablename__ = "reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    channel: Mapped[ResetChannel] = mapped_column(StrEnumColumn(ResetChannel, 10))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    token_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Keyed hash of the client that asked (see bot.limits.clients); None for agents and imports.
    client_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # The agent who asked on the member's behalf (the console); None for the member themself.
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)

    member: Mapped[Member] = relationship(back_populates="reset_requests")
    email: Mapped[OutgoingEmail | None] = relationship(back_populates="reset_request")
    letter: Mapped[PostalLetter | None] = relationship(back_populates="reset_request")


class OutgoingEmail(Base):
    """The outbox: emails waiting to be sent, sent, or given up on."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    reset_request_id: Mapped[int] = mapped_column(ForeignKey("reset_requests.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    status: Mapped[EmailStatus] = mapped_column(
        StrEnumColumn(EmailStatus, 10), default=EmailStatus.PENDING, index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    reset_request: Mapped[ResetRequest] = relationship(back_populates="email")


class PostalLetter(Base):
    """A letter with a new access code, to print and post (arrives within 8 days)."""

    __tablename__ = "postal_letters"

    id: Mapped[int] = mapped_column(primary_key=True)
    reset_request_id: Mapped[int] = mapped_column(ForeignKey("reset_requests.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expected_by: Mapped[dt.date] = mapped_column()
    exported_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    reset_request: Mapped[ResetRequest] = relationship(back_populates="letter")


class AuditEvent(Base):
    """What happened, when, to whom; never a NIR, a code or a token."""

    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(
        UTCDateTime(), default=utcnow, server_default=func.now(), index=True
    )
    kind: Mapped[str] = mapped_column(String(50), index=True)  # an AuditKind; see its docstring
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


class NirLookup(Base):
    """One look-up of a member by NIR: the audit trail, and what per-client limits count.

    Nothing here identifies anyone in clear: the NIR as its keyed hash (the same as
    ``members.nir_hash``, so an agent can find the look-ups of a member), the client
    as a keyed hash of the address the web tier saw.
    """

    __tablename__ = "nir_lookups"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    # The keyed hash of the client's network (IPv4 /24, IPv6 /64), limited too (migration 0009).
    network_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    nir_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    # "member", "unknown", or why it was refused: "client_limit", "network_limit", "global_limit".
    outcome: Mapped[str] = mapped_column(String(20))


class Agent(Base):
    """A call-centre agent who signs in to the console (``./sesame agents …``).

    The password is an Argon2 hash. An agent is never deleted, only disabled: the
    audit log and the reset requests keep pointing at them.
    """

    __tablename__ = "agents"

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[AgentRole] = mapped_column(StrEnumColumn(AgentRole, 20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_sign_in_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # "Disponible" in the console: live chats are offered to members only while at
    # least one available agent has a live session (bot.handoffs.queue).
    available: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))


class AgentSession(Base):
    """A signed-in console session; the browser holds the token, we keep its SHA-256.

    In the database rather than in a process's memory: any web replica can check
    it, a restart signs nobody out, and sign-out or a disabled account ends it for all.
    """

    __tablename__ = "agent_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agents.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # The console's last sign of life (its queue read, its push stream): an agent is
    # « disponible » for members only while it is recent (bot.agents.presence, migration 0013).
    console_seen_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    agent: Mapped[Agent] = relationship()


class AgentSignInAttempt(Base):
    """One sign-in attempt: what the per-login and per-address limits count.

    ``login`` is what was typed (lower-cased, cut to 64 characters), whether or not
    such an agent exists; the address is a keyed hash (``bot.limits.clients``).
    """

    __tablename__ = "agent_sign_in_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    login: Mapped[str] = mapped_column(String(64), index=True)
    client_hash: Mapped[str] = mapped_column(String(64), index=True)
    succeeded: Mapped[bool] = mapped_column(Boolean)


class AgentAuditEntry(Base):
    """Who did what, when, for which member: the agents' audit log, append-only.

    ``actor`` is an agent's login, or ``cli:<user>`` for an account change made
    with ``./sesame agents``. The member is named by the keyed hash of their NIR
    (``members.nir_hash``), never the NIR. Triggers (migrations 0004, 0008 and 0010) refuse
    any UPDATE or REPLACE on the table, and any DELETE of a line younger than 180 days (the
    retention purge removes older ones), on SQLite and on PostgreSQL.
    """

    __tablename__ = "agent_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100), index=True)
    action: Mapped[str] = mapped_column(String(50), index=True)  # an AgentAction
    nir_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)


OPEN_HANDOFF_STATES = ("waiting", "active")


class Handoff(Base):
    """A member handed from the bot to a person: a live chat, or a call-back request.

    In the database, not in a process: it survives a restart of any process, every
    web replica sees it, and taking it is one conditional UPDATE (two agents cannot
    both win). A conversation has at most one open hand-off (partial unique index).
    The transcript is the conversation with numbers and codes masked, as stored.
    """

    __tablename__ = "handoffs"
    __table_args__ = (
        Index(
            "ix_handoffs_open_conversation",
            "conversation_id",
            unique=True,
            sqlite_where=text("state IN ('waiting', 'active')"),
            postgresql_where=text("state IN ('waiting', 'active')"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # "web" (the widget) or "direct" (./sesame chat)
    kind: Mapped[HandoffKind] = mapped_column(StrEnumColumn(HandoffKind, 10))
    reason: Mapped[HandoffReason] = mapped_column(StrEnumColumn(HandoffReason, 20))
    state: Mapped[HandoffState] = mapped_column(StrEnumColumn(HandoffState, 20), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    taken_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"), index=True)
    summary: Mapped[str] = mapped_column(Text)
    transcript: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    member_ref: Mapped[str | None] = mapped_column(String(64))  # keyed NIR hash, when checked
    # A call-back: the number to call (needed by the agent; masked in the conversation
    # store and the logs), the moment in the member's own words (a button's « Le matin »,
    # or « vers 17h »), and the window read from them (bot.rules.callback_time; none for
    # « peu importe » and for call-backs queued before migration 0012).
    callback_phone: Mapped[str | None] = mapped_column(String(20))
    callback_slot: Mapped[str | None] = mapped_column(String(100))
    callback_from: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    callback_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    agent: Mapped[Agent | None] = relationship()


class HandoffMessage(Base):
    """One message of a live hand-off: the member's (masked), the agent's, or Sésame's."""

    __tablename__ = "handoff_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    handoff_id: Mapped[int] = mapped_column(ForeignKey("handoffs.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    author: Mapped[HandoffAuthor] = mapped_column(StrEnumColumn(HandoffAuthor, 10))
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agents.id"))
    text: Mapped[str] = mapped_column(Text)


class ReviewDecision(Base):
    """A trainer's decision about one member message of the review inbox (``bot.workbench``).

    One per message: the tracker store's event id within its conversation. ``text``
    is the message as shown to the trainer, redacted again (never a NIR or a code).
    """

    __tablename__ = "review_decisions"
    __table_args__ = (UniqueConstraint("conversation_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(Integer)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    decision: Mapped[ReviewDecisionKind] = mapped_column(StrEnumColumn(ReviewDecisionKind, 20))
    target_intent: Mapped[str | None] = mapped_column(String(100))
    reviewer: Mapped[str] = mapped_column(String(64))
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    text: Mapped[str] = mapped_column(Text)


class ReviewFlag(Base):
    """An agent asks trainers to review a conversation (from a hand-off, or any conversation)."""

    __tablename__ = "review_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    agent_login: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class AnswerFeedback(Base):
    """A member's « Oui » or « Non » to « Cette réponse vous a aidé ? » (``bot.workbench.feedback``).

    It rates one answer: the member message it answered, by its tracker event id within
    its conversation (one rating per message). No free text: nothing personal but the
    link to the conversation, kept as long as the conversation (``RETENTION_CONVERSATIONS_DAYS``).
    """

    __tablename__ = "answer_feedback"
    __table_args__ = (UniqueConstraint("conversation_id", "event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(255), index=True)
    event_id: Mapped[int] = mapped_column(Integer)
    helpful: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
