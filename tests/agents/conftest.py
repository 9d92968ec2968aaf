"""Agents' tests: a fixed clock, good passwords, and agents created the way the CLI does."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from bot.db.models import Member
from bot.members.lookup import hash_nir
from tests.support.nirs import with_key

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


KEY = "test-key"
WITH_EMAIL = with_key("2950675123045")
WITHOUT_EMAIL = with_key("1880269381077")
UNKNOWN_NIR = with_key("1010101010101")
EMAIL = "jeanne.dupont@exemple.fr"


@pytest.fixture
def members(engine: Engine) -> dict[str, int]:
    """Two fictitious members, by the NIR's name: one with an email, one without."""
    ids: dict[str, int] = {}
    with session_scope(engine) as session:
        for name, nir, email in [("email", WITH_EMAIL, EMAIL), ("courrier", WITHOUT_EMAIL, None)]:
            member = Member(
                nir_hash=hash_nir(nir, KEY), first_name="Jeanne", last_name="Dupont", email=email,
                street="1 rue de la Paix", postal_code="69001", city="Lyon",
            )  # fmt: skip
            session.add(member)
            session.flush()
            ids[name] = member.id
    return ids
