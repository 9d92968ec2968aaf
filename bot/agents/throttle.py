"""How often a sign-in may be tried: slow a guesser down without letting anyone lock a real agent out.

OWASP's authentication cheat sheet: a lock per login lets any outsider keep an
agent out (five wrong passwords every 15 minutes, from anywhere), and a lock per
address keeps out every agent behind a call centre's NAT. So failures are counted:

- per **(login, address) pair**: the first ``FREE_FAILURES`` failures cost nothing;
  after the n-th, the pair waits ``BASE_DELAY × 2^(n − FREE_FAILURES)`` from that
  failure, at most ``MAX_DELAY``. A success for the pair, or a supervisor's
  ``./sesame agents unlock LOGIN``, starts the count again; failures older than
  ``MEMORY`` are forgotten. An outsider's failures, from the outsider's address,
  never slow the agent at the call centre.
- per **address**, across every login: more than ``per_address`` failures (setting
  ``SIGN_IN_FAILURES_PER_ADDRESS``, sized for a call centre's NAT) within
  ``ADDRESS_WINDOW`` refuse that address until the oldest leaves the window. It
  slows that address only.
- a **recognised device** (``bot.agents.devices``: a browser where that agent signed
  in before) replaces the address: its failures are counted per (login, device),
  and the address's ceiling does not apply to it, so nobody behind the same NAT can
  slow that agent down.

The counts are rows of ``agent_sign_in_attempts`` (the database every web worker
shares), read under the lock ``bot.agents.sessions.sign_in`` takes.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.db.models import AgentSignInAttempt

FREE_FAILURES = 5
BASE_DELAY = dt.timedelta(seconds=30)
MAX_DELAY = dt.timedelta(minutes=15)
MEMORY = dt.timedelta(hours=24)
ADDRESS_WINDOW = dt.timedelta(minutes=15)
PER_ADDRESS = 50  # the default of SIGN_IN_FAILURES_PER_ADDRESS


def delay_after(failures: int) -> dt.timedelta:
    """The wait after ``failures`` consecutive failures of one pair: none, then doubling, capped."""
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    doublings = min(failures - FREE_FAILURES, 20)  # 2^20 × 30 s is far past the cap
    delay: dt.timedelta = BASE_DELAY * (1 << doublings)
    return min(delay, MAX_DELAY)


def pair_failures(session: Session, login: str, client_hash: str, now: dt.datetime) -> list[dt.datetime]:
    """The pair's failures since its last success (and within ``MEMORY``), newest first."""
    pair = (AgentSignInAttempt.login == login, AgentSignInAttempt.client_hash == client_hash)
    since = now - MEMORY
    last_success = session.scalar(
        select(func.max(AgentSignInAttempt.created_at)).where(*pair, AgentSignInAttempt.succeeded.is_(True))
    )
    if last_success is not None and last_success > since:
        since = last_success
    return list(
        session.scalars(
            select(AgentSignInAttempt.created_at)
            .where(*pair, AgentSignInAttempt.succeeded.is_(False), AgentSignInAttempt.created_at >= since)
            .order_by(AgentSignInAttempt.created_at.desc())
        ).all()
    )


def _address_block(
    session: Session, client_hash: str, now: dt.datetime, per_address: int
) -> dt.datetime | None:
    failures = session.scalars(
        select(AgentSignInAttempt.created_at)
        .where(
            AgentSignInAttempt.client_hash == client_hash,
            AgentSignInAttempt.succeeded.is_(False),
            AgentSignInAttempt.created_at > now - ADDRESS_WINDOW,
        )
        .order_by(AgentSignInAttempt.created_at.desc())
        .limit(per_address)
    ).all()
    if len(failures) < per_address:
        return None
    return failures[-1] + ADDRESS_WINDOW


def blocked_until(
    session: Session, login: str, client_hash: str, now: dt.datetime, per_address: int | None = PER_ADDRESS
) -> dt.datetime | None:
    """When this login may be tried again from this address; None if it may be now.

    ``per_address`` None: no address ceiling (a recognised device, ``bot.agents.devices``,
    whose ``client_hash`` is the device's own key).
    """
    until: dt.datetime | None = None
    failures = pair_failures(session, login, client_hash, now)
    if failures:
        pair_until = failures[0] + delay_after(len(failures))
        if pair_until > now:
            until = pair_until
    address_until = None if per_address is None else _address_block(session, client_hash, now, per_address)
    if address_until is not None and address_until > now:
        until = address_until if until is None else max(until, address_until)
    return until


def clear(session: Session, login: str) -> int:
    """Forget the login's failures from every address (a supervisor's unlock); how many there were."""
    result = session.execute(
        delete(AgentSignInAttempt).where(
            AgentSignInAttempt.login == login, AgentSignInAttempt.succeeded.is_(False)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
