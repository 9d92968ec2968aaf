"""Tables of the member database.

Secrets are never stored in clear: a member is found by a keyed hash of the NIR
(``nir_hash``), the access code is an Argon2 hash, a reset link's token is stored
as its SHA-256. An outgoing email holds no token: the delivery worker mints the
token when it sends the email (see ``bot.mail.outbox``), so the link exists only in the
email itself.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator


def utcnow() -> dt.datetime:
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


class Base(DeclarativeBase):
    """Base of every table; Alembic migrations describe the same schema."""


class Member(Base):
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
    first_login_done: Mapped[bool] = mapped_column(default=False)
    terms_accepted: Mapped[bool] = mapped_column(default=False)
    failed_login_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    reset_requests: Mapped[list[ResetRequest]] = relationship(back_populates="member")


class ResetRequest(Base):
    """One request for a new access code, answered by email or by letter."""

    __tablename__ = "reset_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    channel: Mapped[str] = mapped_column(String(10))  # "email" or "letter"
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    token_expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    token_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    member: Mapped[Member] = relationship(back_populates="reset_requests")
    email: Mapped[OutgoingEmail | None] = relationship(back_populates="reset_request")
    letter: Mapped[PostalLetter | None] = relationship(back_populates="reset_request")


class OutgoingEmail(Base):
    """The outbox: emails waiting to be sent, sent, or given up on."""

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    reset_request_id: Mapped[int] = mapped_column(ForeignKey("reset_requests.id"), unique=True)
    to_address: Mapped[str] = mapped_column(String(254))
    status: Mapped[str] = mapped_column(String(10), default="pending", index=True)
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
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, server_default=func.now())
    kind: Mapped[str] = mapped_column(String(50), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
