"""The state of a reset link, and using it: once, in one transaction.

The link carries a random token; the database keeps only its SHA-256. Reading a
link's state never changes anything; ``store_new_code`` changes the member's code
and burns the token in the same transaction, so a double submit or a replayed
link cannot use it twice. No HTTP here: the reset page (``bot.web.routes.reset``)
calls these functions.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Engine, select, update
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.enums import AuditKind
from bot.db.models import AuditEvent, Member, ResetRequest, utcnow
from bot.rules.access_code import BirthMonth
from bot.rules.tokens import hash_token

# Tokens are ``secrets.token_urlsafe``; anything else is not worth a database query.
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")
AUDIT_KIND = AuditKind.ACCESS_CODE_CHANGED


class LinkState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


def state_of(reset: ResetRequest | None, now: dt.datetime) -> LinkState:
    """Used wins over expired: a member who already changed their code should hear that."""
    if reset is None:
        return LinkState.UNKNOWN
    if reset.token_used_at is not None:
        return LinkState.USED
    if reset.token_expires_at is None or reset.token_expires_at <= now:
        return LinkState.EXPIRED
    return LinkState.VALID


def _find(session: Session, token_hash: str, *, lock: bool = False) -> ResetRequest | None:
    query = select(ResetRequest).where(ResetRequest.token_hash == token_hash)
    if lock:
        query = query.with_for_update()
    return session.scalars(query).one_or_none()


def current_state(engine: Engine, token: str) -> LinkState:
    """What the link ``token`` is worth right now (a read-only look-up)."""
    if not TOKEN_SHAPE.fullmatch(token):
        return LinkState.UNKNOWN
    with session_scope(engine) as session:
        return state_of(_find(session, hash_token(token)), utcnow())


def still_usable(now: dt.datetime) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """SQL conditions of a link that is neither used nor expired at ``now``."""
    return ResetRequest.token_used_at.is_(None), ResetRequest.token_expires_at > now


def store_new_code(session: Session, token_hash: str, code_hash: str, now: dt.datetime) -> LinkState:
    """Burn the token and store the code hash, or change nothing and say why.

    The row is locked (PostgreSQL) and the update only applies while
    ``token_used_at`` is still NULL (every backend): of two concurrent submits,
    exactly one gets ``VALID``.
    """
    reset = _find(session, token_hash, lock=True)
    state = state_of(reset, now)
    if reset is None or state is not LinkState.VALID:
        return state
    burnt = cast(
        CursorResult[Any],
        session.execute(
            update(ResetRequest)
            .where(ResetRequest.id == reset.id, *still_usable(now))
            .values(token_used_at=now)
        ),
    )
    if burnt.rowcount != 1:
        return LinkState.USED
    member = session.get_one(Member, reset.member_id)
    member.access_code_hash = code_hash
    member.pending_access_code_hash = None  # a letter's code still on its way no longer opens anything
    session.add(
        AuditEvent(
            kind=AUDIT_KIND,
            member_id=member.id,
            detail={"reset_request_id": reset.id, "channel": reset.channel},
        )
    )
    return LinkState.VALID


def use_link(engine: Engine, token: str, code_hash: str) -> LinkState:
    """Store ``code_hash`` for the member of link ``token`` if the link still works."""
    with session_scope(engine) as session:
        return store_new_code(session, hash_token(token), code_hash, utcnow())


def birth_month_of_link(engine: Engine, token: str) -> BirthMonth | None:
    """The birth month of the member behind link ``token``, for the "not your birth date" rule."""
    with session_scope(engine) as session:
        reset = _find(session, hash_token(token))
        if reset is None:
            return None
        member = session.get_one(Member, reset.member_id)
        if member.birth_year2 is None or member.birth_month is None:
            return None
        return BirthMonth(member.birth_year2, member.birth_month)


def nir_windows_of_link(engine: Engine, token: str) -> list[str] | None:
    """The keyed hashes of the NIR's 6-digit runs for the member behind link ``token``
    (``bot.rules.nir_windows``), for the "not taken from your NIR" rule."""
    with session_scope(engine) as session:
        reset = _find(session, hash_token(token))
        if reset is None:
            return None
        return session.get_one(Member, reset.member_id).nir_window_hashes
