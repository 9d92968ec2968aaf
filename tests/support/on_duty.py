"""An agent signed in to the console and marked « disponible »: what makes live chats possible.

Their console is open: its session showed a sign of life at ``now`` (``bot.agents.presence``).
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy.orm import Session

from bot.agents.accounts import add_agent
from bot.agents.sessions import token_hash
from bot.db.enums import HandoffKind, HandoffReason
from bot.db.models import Agent, AgentSession, Handoff
from bot.handoffs import queue

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


def queued_chat(session: Session, conversation_id: str, now: dt.datetime) -> Handoff:
    """A live chat the member asked for, waiting in the queue since ``now``."""
    return queue.open_handoff(
        session,
        conversation_id=conversation_id,
        channel="web",
        kind=HandoffKind.LIVE,
        reason=HandoffReason.ASKED,
        summary="Sujets : code d'accès oublié.",
        transcript=[],
        now=now,
    )
