"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

PostgreSQL runs on this machine (127.0.0.1:5432, trust auth); each test session
creates its own throw-away database and drops it at the end. Set
``SESAME_TEST_PG_URL`` to point elsewhere (a server URL without database name).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.db.models import Base

PG_SERVER_URL = os.environ.get("SESAME_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432")


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
    name = f"sesame_test_{secrets.token_hex(4)}"
    admin = create_engine(f"{PG_SERVER_URL}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_SERVER_URL}/{name}"
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
