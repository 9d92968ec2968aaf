"""Presence that follows the agent: « disponible » holds only while their console is really open.

An agent used to stay « disponible » for the whole session after closing the browser
without signing out, and members queued for nobody. Now:

- The console shows a sign of life: each read of its queue (``GET /conseiller/api/file``,
  polled by the page) and its push stream (``GET /conseiller/api/flux``, which checks the
  session every few seconds) refresh ``agent_sessions.console_seen_at`` of its session,
  written at most every ``write_every(presence)`` so that polls cost no write each.
- An agent is counted for members (``bot.handoffs.queue.available_agents``) only while
  one of their live sessions has a sign of life within ``presence``
  (``AGENT_PRESENCE_SECONDS``): a closed console stops taking members after that long.
- A console that comes back after such a gap (closed and reopened, laptop asleep) finds
  the agent « indisponible »: nobody is put through to an agent who did not choose it
  again. Signing in starts « indisponible » too, and signing out or a session that ends
  turns it off (``bot.agents.sessions``), each audited.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import Session

from bot.agents import audit
from bot.agents.sessions import token_hash
from bot.db.enums import AgentAction
from bot.db.models import Agent, AgentSession

DEFAULT_PRESENCE = dt.timedelta(seconds=60)
# A sign of life is written at most this often (less for a short presence, e.g. in tests).
MAX_WRITE_EVERY = dt.timedelta(seconds=5)
# Why the console's switch went off by itself, in the audit log.
CONSOLE_GONE = "console_fermee"


def write_every(presence: dt.timedelta) -> dt.timedelta:
    """How often a live console's sign of life is written: a quarter of the presence, 5 s at most."""
    return min(MAX_WRITE_EVERY, presence / 4)


def heartbeat_seconds(presence: dt.timedelta) -> float:
    """How often the console must show a sign of life to stay present: a third of the presence."""
    return max(0.5, presence.total_seconds() / 3)


def session_present(now: dt.datetime, presence: dt.timedelta) -> ColumnElement[bool]:
    """The SQL condition « this session's console showed a sign of life within ``presence`` »."""
    return and_(AgentSession.console_seen_at.is_not(None), AgentSession.console_seen_at > now - presence)


def _others_present(session: Session, row: AgentSession, now: dt.datetime, presence: dt.timedelta) -> bool:
    """Whether another open session of the same agent has a live console (a second browser)."""
    query = select(
        exists().where(
            AgentSession.agent_id == row.agent_id,
            AgentSession.id != row.id,
            AgentSession.ended_at.is_(None),
            session_present(now, presence),
        )
    )
    return bool(session.scalar(query))


def console_alive(
    session: Session, row: AgentSession, now: dt.datetime, presence: dt.timedelta = DEFAULT_PRESENCE
) -> bool:
    """Record that the console of session ``row`` is open; True if the agent's « disponible »
    was turned off because the console had been gone longer than ``presence``.
    """
    seen = row.console_seen_at
    lapsed = seen is not None and now - seen > presence
    if seen is None or now - seen >= write_every(presence):  # a lapse is longer than that too
        row.console_seen_at = now
    agent: Agent = row.agent
    if lapsed and agent.available and not _others_present(session, row, now, presence):
        agent.available = False
        audit.record(
            session,
            agent.login,
            AgentAction.AVAILABILITY_CHANGED,
            now=now,
            disponible=False,
            raison=CONSOLE_GONE,
        )
        return True
    return False


def console_alive_for(
    session: Session, token: str | None, now: dt.datetime, presence: dt.timedelta = DEFAULT_PRESENCE
) -> bool:
    """``console_alive`` for the open session of the cookie ``token`` (checked by the caller)."""
    if not token or len(token) > 128:
        return False
    row = session.scalars(
        select(AgentSession).where(
            AgentSession.token_hash == token_hash(token), AgentSession.ended_at.is_(None)
        )
    ).one_or_none()
    return console_alive(session, row, now, presence) if row is not None else False
