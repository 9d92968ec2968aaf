"""A tracker-store database per test, on SQLite and on PostgreSQL (production's store).

The test session makes its own throw-away PostgreSQL database and drops it at the
end. The server, and skipping (laptop) or failing (``CI=true``) without one, are as
for the other test suite: ``tests.support.postgres`` (``DATABASE_URL_TEST``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.postgres import CONNECT_TIMEOUT_SECONDS, database_url, unreachable


@pytest.fixture(scope="session")
def postgres_server_database() -> Iterator[str]:
    admin_url = database_url(
        "postgres", "psycopg2"
    )  # env A talks to PostgreSQL through psycopg2, Rasa's driver
    name = f"sesame_tracker_test_{secrets.token_hex(4)}"
    admin = sa.create_engine(
        admin_url,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        unreachable(admin_url, exc)
    try:
        yield database_url(name, "psycopg2")
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
