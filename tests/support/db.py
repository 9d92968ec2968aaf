"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

Each test session creates its own throw-away PostgreSQL database and drops it at
the end. Which server, and why the PostgreSQL tests are skipped on a laptop without
one but fail in CI: see ``tests.support.postgres`` (``DATABASE_URL_TEST``, ``CI``).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.exc import OperationalError

from bot.db.models import Base
from tests.support.postgres import CONNECT_TIMEOUT_SECONDS, database_url, unreachable


def create_schema(engine: Engine) -> None:
    """Bring an empty database to the current schema through the Alembic migrations.

    Tests then run on the schema production gets, not on ``create_all``'s. An empty
    database may still hold ``alembic_version`` (``drop_all`` leaves it behind), which
    would make ``upgrade head`` a no-op: it is dropped first.
    """
    from alembic import command

    from bot.db.migrate import alembic_config

    with engine.begin() as connection:
        connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        command.upgrade(alembic_config(connection=connection), "head")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away database on the test server for the whole session (skip or fail without one)."""
    admin_url = database_url("postgres", "psycopg")
    name = f"sesame_test_{secrets.token_hex(4)}"
    admin = create_engine(
        admin_url,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        unreachable(admin_url, exc)
    try:
        yield database_url(name, "psycopg")
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database at the current schema, one per test."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'sesame.db'}"
    else:
        server = request.getfixturevalue("postgres_url")
        engine = create_engine(server)
        Base.metadata.drop_all(engine)
        engine.dispose()
        url = server
    engine = create_engine(url)
    create_schema(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()
