"""Signing agents in and out, and recognising a signed-in agent on each request.

- A session is a random token in an HttpOnly cookie; the database keeps its SHA-256
  (``agent_sessions``), so a copy of the database signs nobody in. It ends after
  ``ABSOLUTE_LIFETIME`` whatever happens, after ``IDLE_TIMEOUT`` without a request,
  at sign-out, and when the account is disabled or its password reset. Signing in
  starts « indisponible », and a session that ends turns it off unless another of the
  agent's sessions is live (presence: ``bot.agents.presence``).
- Failed sign-ins are counted in the database, so the limits hold across web
  processes and restarts: per (login, address) pair with growing delays, and per
  address across logins (``bot.agents.throttle``), never per login alone, so no
  outsider can keep an agent out. A refused attempt checks no password at all, so
  guessing cannot go on behind the refusal.
- The answer to a failure never says whether the login exists: an unknown login
  costs the same Argon2 verification as a known one (``verify_password``).
- A refused sign-in never writes the caller's text into the audit log: its actor is
  the account's login when the account exists (supervisors see attacks on a real
  account), else ``ANONYMOUS`` with the keyed hash of the address. And it cannot
  flood the log: one line per actor, action and address within ``REFUSAL_AUDIT_WINDOW``,
  except failures on a real account, which the throttling (``bot.agents.throttle``) bounds.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from bot.agents import audit, throttle
from bot.agents.passwords import verify_password
from bot.db.enums import AgentAction
from bot.db.models import Agent, AgentSession, AgentSignInAttempt
from bot.limits.lookups import serialise

ABSOLUTE_LIFETIME = dt.timedelta(hours=8)
IDLE_TIMEOUT = dt.timedelta(minutes=30)
# A last-seen time is written at most this often, not on every request.
TOUCH_EVERY = dt.timedelta(seconds=30)
TOKEN_BYTES = 32
# The audit log's actor for a refused sign-in whose login names no account.
ANONYMOUS = "anonyme"
# A repeated refusal of one actor and address is audited once in this long.
REFUSAL_AUDIT_WINDOW = dt.timedelta(minutes=15)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignedIn:
    """The agent is in; ``token`` goes into the session cookie and nowhere else."""

    agent: Agent
    token: str


@dataclass(frozen=True)
class BadCredentials:
    """Unknown login, wrong password or disabled account: one answer for all three."""


@dataclass(frozen=True)
class TooManyFailures:
    """Too many recent failures for this login from this address, or from this address.

    Try again at ``retry_at``."""

    retry_at: dt.datetime


SignInOutcome = SignedIn | BadCredentials | TooManyFailures


def _typed_login(login: str) -> str:
    return login.strip().lower()[:64]


def _audit_refusal(
    session: Session,
    agent: Agent | None,
    action: AgentAction,
    client_hash: str,
    now: dt.datetime,
    **detail: str,
) -> None:
    """Audit a refused sign-in under a name the caller did not choose, once per window when repeated."""
    actor = agent.login if agent is not None else ANONYMOUS
    client = client_hash[:16]
    repeats_are_bounded = agent is not None and action is AgentAction.SIGN_IN_FAILED  # by the throttling
    if not repeats_are_bounded:
        recent = audit.entries(session, since=now - REFUSAL_AUDIT_WINDOW, actor=actor)
        if any(line.action == action.value and line.detail.get("client") == client for line in recent):
            return
    audit.record(session, actor, action, now=now, client=client, **detail)


def sign_in(
    session: Session,
    login: str,
    password: str,
    client_hash: str,
    now: dt.datetime,
    per_address: int = throttle.PER_ADDRESS,
    recognise: Callable[[str], str | None] | None = None,
) -> SignInOutcome:
    """Check the credentials within the limits; open a session on success. Everything audited.

    ``per_address``: failures from one address, all logins together, that slow that
    address (setting ``SIGN_IN_FAILURES_PER_ADDRESS``). ``recognise``: given the typed
    login, the key of the recognised device the browser presented for it, or None
    (``bot.agents.devices``); a recognised device is counted instead of the address.
    """
    typed = _typed_login(login)
    # Two sign-ins for the same login must count each other's failures: take the lock
    # that the per-client limits use (a row lock on PostgreSQL, the write lock on SQLite).
    serialise(session, hashlib.sha256(f"agent:{typed}".encode()).hexdigest())
    agent = session.scalars(select(Agent).where(Agent.login == typed)).one_or_none()
    device = recognise(typed) if recognise is not None else None
    per_address_limit: int | None = per_address
    if device is not None:
        client_hash, per_address_limit = device, None
    blocked_until = throttle.blocked_until(session, typed, client_hash, now, per_address_limit)
    if blocked_until is not None:
        _audit_refusal(session, agent, AgentAction.SIGN_IN_LIMITED, client_hash, now)
        return TooManyFailures(blocked_until)
    good = verify_password(agent.password_hash if agent else None, password)
    if agent is None or not good or not agent.active:
        session.add(AgentSignInAttempt(created_at=now, login=typed, client_hash=client_hash, succeeded=False))
        reason = "inconnu" if agent is None else ("desactive" if good else "mot_de_passe")
        _audit_refusal(session, agent, AgentAction.SIGN_IN_FAILED, client_hash, now, raison=reason)
        return BadCredentials()
    session.add(AgentSignInAttempt(created_at=now, login=typed, client_hash=client_hash, succeeded=True))
    token = secrets.token_urlsafe(TOKEN_BYTES)
    # Signing in starts « indisponible »: members are put through only once the agent
    # says so again, from a console that is open (bot.agents.presence).
    agent.available = False
    session.add(AgentSession(token_hash=token_hash(token), agent=agent, created_at=now, last_seen_at=now))
    agent.last_sign_in_at = now
    audit.record(session, agent.login, AgentAction.SIGN_IN, now=now)
    return SignedIn(agent, token)


def failures_counted(session: Session, login: str, client_hash: str, now: dt.datetime) -> int:
    """How many failures count against ``login`` from this address now (tests, the command line)."""
    return len(throttle.pair_failures(session, _typed_login(login), client_hash, now))


def _expired(row: AgentSession, now: dt.datetime) -> bool:
    return now - row.created_at >= ABSOLUTE_LIFETIME or now - row.last_seen_at >= IDLE_TIMEOUT


def _unavailable_unless_elsewhere(session: Session, row: AgentSession, now: dt.datetime) -> None:
    """Session ``row`` ends: « disponible » goes off, unless the agent has another live session."""
    elsewhere = session.scalar(
        select(
            exists().where(
                AgentSession.agent_id == row.agent_id,
                AgentSession.id != row.id,
                AgentSession.ended_at.is_(None),
                AgentSession.last_seen_at > now - IDLE_TIMEOUT,
                AgentSession.created_at > now - ABSOLUTE_LIFETIME,
            )
        )
    )
    if not elsewhere:
        row.agent.available = False


def current_agent(
    session: Session, token: str | None, now: dt.datetime, *, touch: bool = True
) -> Agent | None:
    """The active agent whose live session ``token`` opens, or None; keeps the session alive.

    An expired session is closed here (and audited) the first time it is presented.
    ``touch=False`` (the console's automatic refreshes) checks without counting as
    activity: an open console left alone still ends after ``IDLE_TIMEOUT``.
    """
    if not token or len(token) > 128:
        return None
    row = session.scalars(
        select(AgentSession).where(AgentSession.token_hash == token_hash(token))
    ).one_or_none()
    if row is None or row.ended_at is not None:
        return None
    if _expired(row, now) or not row.agent.active:
        row.ended_at = now
        _unavailable_unless_elsewhere(session, row, now)
        audit.record(session, row.agent.login, AgentAction.SESSION_EXPIRED, now=now)
        return None
    if touch and now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return row.agent


def sign_out(session: Session, token: str | None, now: dt.datetime) -> Agent | None:
    """End the session ``token`` opens; the agent it was, or None if there was none."""
    agent = current_agent(session, token, now)
    if agent is None or token is None:
        return None
    row = session.scalars(select(AgentSession).where(AgentSession.token_hash == token_hash(token))).one()
    row.ended_at = now
    _unavailable_unless_elsewhere(session, row, now)
    audit.record(session, agent.login, AgentAction.SIGN_OUT, now=now)
    return agent
