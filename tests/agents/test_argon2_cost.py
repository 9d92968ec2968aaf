"""Production hashes at Argon2's production cost (the other tests hash cheaply: tests/conftest.py).

Every place that makes a hash in production: the agents' passwords, the web tier's
hasher (members' access codes), the letters export. The expected cost is argon2-cffi's
default, RFC 9106's low-memory profile (3 passes over 64 MiB, 4 lanes).
"""

from __future__ import annotations

import io

import pytest
from argon2 import extract_parameters, profiles
from sqlalchemy import select

from bot.agents import passwords
from bot.db.engine import session_scope
from bot.db.models import Member
from bot.resets.letters import export_letters
from bot.settings import Settings
from bot.web.app import create_app
from tests.conftest import CHEAP_ARGON2
from tests.resets.test_letters import NOW, add_letter, add_member
from tests.support.db import migrated_memory_engine

PRODUCTION = profiles.RFC_9106_LOW_MEMORY


def cost_of(stored: str) -> tuple[int, int, int]:
    parameters = extract_parameters(stored)
    return parameters.time_cost, parameters.memory_cost, parameters.parallelism


@pytest.mark.production_argon2
def test_the_agents_passwords_and_the_decoy_are_hashed_at_production_cost() -> None:
    expected = (PRODUCTION.time_cost, PRODUCTION.memory_cost, PRODUCTION.parallelism)
    assert expected == (3, 65536, 4)
    assert cost_of(passwords.hash_password("Une-phrase-de-passe-2026")) == expected
    assert cost_of(passwords._decoy_hash()) == expected


@pytest.mark.production_argon2
def test_the_web_tier_and_the_letters_export_hash_at_production_cost() -> None:
    engine = migrated_memory_engine()
    try:
        hasher = create_app(Settings.from_values({}), engine).state.web.hasher
        assert (hasher.time_cost, hasher.memory_cost, hasher.parallelism) == (
            PRODUCTION.time_cost,
            PRODUCTION.memory_cost,
            PRODUCTION.parallelism,
        )
        add_letter(engine, add_member(engine, "Zoé", "Martin"), NOW)
        assert export_letters(engine, io.StringIO(), now=NOW) == 1
        with session_scope(engine) as session:
            stored = session.scalars(select(Member.pending_access_code_hash)).one()
        assert stored is not None
        assert cost_of(stored) == (PRODUCTION.time_cost, PRODUCTION.memory_cost, PRODUCTION.parallelism)
    finally:
        engine.dispose()


def test_the_other_tests_hash_cheaply_and_their_hashes_still_verify() -> None:
    stored = passwords.hash_password("Une-phrase-de-passe-2026")
    assert cost_of(stored) == tuple(CHEAP_ARGON2.values())
    assert passwords.verify_password(stored, "Une-phrase-de-passe-2026")
    assert not passwords.verify_password(stored, "Une-autre-phrase-2026")
    assert not passwords.verify_password(None, "Une-phrase-de-passe-2026")
