"""The page behind a reset link: the member sets a new access code of their own.

The link carries a random token; the database keeps only its SHA-256. Reading
the link never changes anything; posting the form changes the code once, in one
transaction that also burns the token, so a double submit or a replayed link
cannot use it twice. The code is stored as an Argon2 hash and is never echoed,
logged or kept in clear.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any, cast

from argon2 import PasswordHasher
from sqlalchemy import CursorResult, Engine, select, update
from sqlalchemy.orm import Session

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Member, ResetRequest
from bot.rules.access_code import ACCESS_CODE_LENGTH, RULE_TEXT, check_new_code
from bot.rules.tokens import hash_token
from bot.web import csrf, templates
from bot.web.routing import BadRequest, Request, Response, Router

# Tokens are ``secrets.token_urlsafe``; anything else is not worth a database query.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,128}")
AUDIT_KIND = "access_code_changed"


class LinkState(enum.Enum):
    VALID = "valid"
    UNKNOWN = "unknown"
    EXPIRED = "expired"
    USED = "used"


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


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
            .where(
                ResetRequest.id == reset.id,
                ResetRequest.token_used_at.is_(None),
                ResetRequest.token_expires_at > now,
            )
            .values(token_used_at=now)
        ),
    )
    if burnt.rowcount != 1:
        return LinkState.USED
    member = session.get_one(Member, reset.member_id)
    member.access_code_hash = code_hash
    session.add(
        AuditEvent(
            kind=AUDIT_KIND,
            member_id=member.id,
            detail={"reset_request_id": reset.id, "channel": reset.channel},
        )
    )
    return LinkState.VALID


_STATUS_PAGES = {
    LinkState.UNKNOWN: (HTTPStatus.NOT_FOUND, templates.unknown_link_page),
    LinkState.EXPIRED: (HTTPStatus.GONE, templates.expired_link_page),
    LinkState.USED: (HTTPStatus.GONE, templates.used_link_page),
}


@dataclass
class ResetPage:
    """GET shows the form (or why the link no longer works); POST sets the code."""

    engine: Engine
    prefix: str  # path of RESET_URL_BASE, e.g. "/reinitialiser"
    secure_cookie: bool = False
    csrf_key: bytes = field(default_factory=csrf.new_key)
    hasher: PasswordHasher = field(default_factory=PasswordHasher)

    def register(self, router: Router) -> None:
        pattern = re.escape(self.prefix) + r"/(?P<token>[^/]+)"
        router.add("GET", pattern, self.show)
        router.add("POST", pattern, self.submit)

    def show(self, request: Request) -> Response:
        token = request.params["token"]
        state = self._current_state(token)
        if state is not LinkState.VALID:
            return self._status_page(state)
        return self._form(request, token, error=None, status=HTTPStatus.OK)

    def submit(self, request: Request) -> Response:
        token = request.params["token"]
        state = self._current_state(token)
        if state is not LinkState.VALID:
            return self._status_page(state)
        try:
            form = request.form()
        except BadRequest:
            return Response(HTTPStatus.BAD_REQUEST, templates.error_page(HTTPStatus.BAD_REQUEST))
        token_hash = hash_token(token)
        if not csrf.is_valid(
            self.csrf_key, request.cookies.get(csrf.COOKIE_NAME), token_hash, form.get(csrf.FIELD_NAME)
        ):
            return self._form(request, token, error=templates.CSRF_ERROR, status=HTTPStatus.FORBIDDEN)
        code = form.get("code", "")
        error = check_new_code(code, form.get("confirmation", ""))
        if error is not None:
            return self._form(request, token, error=error, status=HTTPStatus.BAD_REQUEST)
        # Hash before the transaction: Argon2 is deliberately slow, the row lock should not be.
        code_hash = self.hasher.hash(code)
        with session_scope(self.engine) as session:
            state = store_new_code(session, token_hash, code_hash, _utcnow())
        if state is not LinkState.VALID:
            return self._status_page(state)
        return Response(HTTPStatus.OK, templates.success_page())

    def _current_state(self, token: str) -> LinkState:
        if not _TOKEN_SHAPE.fullmatch(token):
            return LinkState.UNKNOWN
        with session_scope(self.engine) as session:
            return state_of(_find(session, hash_token(token)), _utcnow())

    def _status_page(self, state: LinkState) -> Response:
        status, render = _STATUS_PAGES[state]
        return Response(status, render())

    def _form(self, request: Request, token: str, error: str | None, status: HTTPStatus) -> Response:
        nonce = csrf.usable_nonce(request.cookies.get(csrf.COOKIE_NAME)) or csrf.new_nonce()
        body = templates.reset_form(
            action=f"{self.prefix}/{token}",
            csrf_value=csrf.form_value(self.csrf_key, nonce, hash_token(token)),
            rule_text=RULE_TEXT,
            code_length=ACCESS_CODE_LENGTH,
            error=error,
        )
        cookie = csrf.cookie_header(nonce, f"{self.prefix}/", self.secure_cookie)
        return Response(status, body, cookies=[cookie])
