"""How many members' files one agent may open in an hour, and who is told when it is reached.

An agent's look-up shows a member's name, city and requests: an agent account that
goes through numbers (stolen, or misused) must be stopped long before it has read
many members, while a real call needs one look-up or two. The count is the audit
log's own lines (``agent_audit``: a member's file opened or a code asked for, where
the number reached the member database, found or not), so it holds across web
workers and nobody can erase it; it is taken under the same lock as the members'
look-up limits (``bot.limits.lookups.serialise``), so two requests of one agent
cannot both take the last look-up.

When the limit is reached, the agent is told when a look-up frees up, and one line
``lookup_limit_reached`` per hour goes to the log that supervisors read in the
console's journal, with a warning in the web tier's log (no NIR in either).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction
from bot.db.models import AgentAuditEntry
from bot.limits.lookups import serialise

logger = logging.getLogger(__name__)

WINDOW = dt.timedelta(hours=1)
# The lines that count: the member database was asked (``nir_hash`` set, member found or not).
COUNTED = (
    AgentAction.MEMBER_LOOKUP.value,
    AgentAction.RESET_ON_BEHALF.value,
    AgentAction.EMAIL_CHECKED.value,
)


@dataclass(frozen=True)
class AgentLimitReached:
    """No look-up for this agent before ``retry_at`` (UTC); ``per_hour`` were made in the last hour."""

    retry_at: dt.datetime
    per_hour: int


def check_agent_lookups(
    session: Session, login: str, per_hour: int, now: dt.datetime
) -> AgentLimitReached | None:
    """``None`` if ``login`` may look a member up now; else until when not (and supervisors are told)."""
    serialise(session, hashlib.sha256(f"agent:{login}".encode()).hexdigest())
    since = now - WINDOW
    recent = session.scalars(
        select(AgentAuditEntry.created_at)
        .where(
            AgentAuditEntry.actor == login,
            AgentAuditEntry.action.in_(COUNTED),
            AgentAuditEntry.nir_hash.is_not(None),
            AgentAuditEntry.created_at > since,
        )
        .order_by(AgentAuditEntry.created_at)
    ).all()
    if len(recent) < per_hour:
        return None
    # A look-up frees up when the oldest of the last ``per_hour`` leaves the window.
    retry_at = recent[len(recent) - per_hour] + WINDOW
    already_told = session.scalar(
        select(AgentAuditEntry.id)
        .where(
            AgentAuditEntry.actor == login,
            AgentAuditEntry.action == AgentAction.LOOKUP_LIMIT_REACHED.value,
            AgentAuditEntry.created_at > since,
        )
        .limit(1)
    )
    if already_told is None:
        record(session, login, AgentAction.LOOKUP_LIMIT_REACHED, now=now, par_heure=per_hour)
        logger.warning("agent lookups: an agent reached %d look-ups in an hour", per_hour)
    return AgentLimitReached(retry_at, per_hour)
