"""Agents' tests: a fixed clock, good passwords, and agents created the way the CLI does."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole

NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
PASSWORD = "cheval-agrafe-pile-7"  # noqa: S105 - a test password
OTHER_PASSWORD = "lampe-verte-au-grenier"  # noqa: S105 - a test password
CLIENT = "c" * 64
OTHER_CLIENT = "d" * 64


def add_agent(
    engine: Engine,
    login: str = "claire",
    password: str = PASSWORD,
    role: AgentRole = AgentRole.CONSEILLER,
) -> int:
    with session_scope(engine) as session:
        agent = accounts.add_agent(session, login, password, actor="cli:test", role=role)
        session.flush()
        return agent.id
