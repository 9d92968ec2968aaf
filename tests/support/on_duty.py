"""An agent signed in to the console and marked « disponible »: what makes live chats possible.

Their console is open: its session showed a sign of life at ``now`` (``bot.agents.presence``).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from bot.agents.accounts import add_agent
from bot.agents.sessions import token_hash
from bot.db.models import Agent, AgentSession

PASSWORD = "cheval-agrafe-batterie-42"  # noqa: S105 - a test account's password


def agent_on_duty(session: Session, now: dt.datetime, login: str = "claire", available: bool = True) -> Agent:
    """An active agent with a live session whose console is open, marked available (or not)."""
    agent = add_agent(session, login, PASSWORD, actor="test", display_name=login.capitalize())
    agent.available = available
    session.flush()
    session.add(
        AgentSession(
            token_hash=token_hash(secrets.token_urlsafe(16)),
            agent_id=agent.id,
            created_at=now,
            last_seen_at=now,
            console_seen_at=now,
        )
    )
    session.flush()
    return agent
