"""Database fixtures: every database test runs on SQLite and on PostgreSQL.

Each test session (each pytest-xdist worker is one) creates its own throw-away
PostgreSQL database and drops it at the end. Which server, and why the PostgreSQL
tests are skipped on a laptop without one but fail in CI: see ``tests.support.postgres``
(``DATABASE_URL_TEST``, ``CI``).

The schema comes from the Alembic migrations, run once per session rather than once
per test (about half a second each): SQLite tests get a copy of a migrated file,
PostgreSQL tests the session's database with every table emptied. Tests marked
``fresh_schema`` (the migration tests) still migrate an empty database themselves.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.pool import StaticPool

from bot.db.migrate import head_revision
from bot.db.models import Base
from tests.support.postgres import throwaway_test_database

FRESH_SCHEMA = "fresh_schema"  # the marker: this test migrates an empty database itself
AUDIT_TRUNCATE_TRIGGER = "agent_audit_no_truncate"  # migration 0011


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


@functools.cache
def _sqlite_template() -> tuple[Engine, sqlite3.Connection]:
    """An in-memory SQLite database migrated once per process, the source of every copy.

    The engine is kept with its one connection: the database lives as long as both.
    """
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    create_schema(engine)
    raw = engine.raw_connection().driver_connection
    assert isinstance(raw, sqlite3.Connection)
    return engine, raw


def copy_sqlite_schema(destination: sqlite3.Connection) -> None:
    """Fill an empty SQLite database with the migrated schema (SQLite's backup API: milliseconds)."""
    _sqlite_template()[1].backup(destination)


def migrated_memory_engine() -> Engine:
    """A migrated in-memory SQLite database, one connection shared by every thread."""
    engine = create_engine("sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False})
    raw = engine.raw_connection().driver_connection
    assert isinstance(raw, sqlite3.Connection)
    copy_sqlite_schema(raw)
    return engine


def _copy_to_file(path: Path) -> None:
    destination = sqlite3.connect(path)
    try:
        copy_sqlite_schema(destination)
    finally:
        destination.close()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A throw-away database on the test server for the whole session (skip or fail without one)."""
    with throwaway_test_database("sesame_test", "psycopg") as url:
        yield url


def _public_tables(connection: Connection) -> set[str]:
    rows = connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'"))
    return {name for (name,) in rows}


@functools.cache
def _head() -> str | None:
    return head_revision()


def _at_head(connection: Connection) -> bool:
    """The migrated schema, untouched: every model table and no other, the head revision recorded."""
    if _public_tables(connection) != set(Base.metadata.tables) | {"alembic_version"}:
        return False
    versions = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return versions == [_head()]


def _reset_postgres(url: str, fresh: bool) -> None:
    """Empty every table of the session's database; migrate it anew when asked or when a test changed it.

    ``TRUNCATE … RESTART IDENTITY`` leaves the database as a fresh migration would (no
    rows, sequences from 1) in a few milliseconds.
    """
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            rebuild = fresh or not _at_head(connection)
        if rebuild:  # everything a test may have left (tables, types), then the migrations
            with engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
            create_schema(engine)
            return
        tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
        with engine.begin() as connection:
            # The audit log refuses TRUNCATE (migration 0011); the owner lifts that for this
            # transaction only, as a test database's owner may.
            connection.execute(text(f"ALTER TABLE agent_audit DISABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}"))
            connection.execute(text(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE"))
            connection.execute(text(f"ALTER TABLE agent_audit ENABLE TRIGGER {AUDIT_TRUNCATE_TRIGGER}"))
    finally:
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL to an empty database at the current schema, one per test."""
    fresh = request.node.get_closest_marker(FRESH_SCHEMA) is not None
    if request.param == "sqlite":
        path = tmp_path / "sesame.db"
        url = f"sqlite:///{path}"
        if fresh:
            engine = create_engine(url)
            create_schema(engine)
            engine.dispose()
        else:
            _copy_to_file(path)
    else:
        url = request.getfixturevalue("postgres_url")
        _reset_postgres(url, fresh)
    yield url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = create_engine(db_url)
    yield engine
    engine.dispose()
