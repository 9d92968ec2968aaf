"""A tracker-store database per test, on SQLite and on PostgreSQL (production's store).

PostgreSQL runs on this machine (127.0.0.1:5432, trust auth); the test session makes
its own throw-away database and drops it at the end. ``SESAME_TEST_PG_URL`` points
elsewhere (a server URL without database name), as for the other test suite.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

PG_SERVER_URL = os.environ.get("SESAME_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432").replace(
    "+psycopg:",
    ":",  # env A talks to PostgreSQL through psycopg2, Rasa's driver
)


@pytest.fixture(scope="session")
def postgres_server_database() -> Iterator[str]:
    name = f"sesame_tracker_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(f"{PG_SERVER_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER_URL}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def tracker_db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty tracker-store database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    url: str = request.getfixturevalue("postgres_server_database")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP TABLE IF EXISTS events"))
    engine.dispose()
    yield url
