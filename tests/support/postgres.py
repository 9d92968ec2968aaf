"""Which PostgreSQL server the tests use, and what happens when none answers.

Shared by both test suites (env B's ``tests/`` and env A's ``rasa_addons/tests``), so
it needs only SQLAlchemy (1.4 or 2) and takes the driver as a parameter.

- ``DATABASE_URL_TEST`` names the server (a database name in it is ignored: each
  test session makes its own throw-away database); ``SESAME_TEST_PG_URL``, its
  former name, is still read. Default: ``postgresql+psycopg://postgres@127.0.0.1:5432``.
- No server answering is normal on a laptop: the PostgreSQL tests are *skipped*,
  with a French message saying how to run them. In CI (``CI=true``, set by
  ``.ci/run``) a missing server is a broken set-up, so they *fail*: a green CI run
  must have tested PostgreSQL.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import NoReturn

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import make_url

DEFAULT_SERVER_URL = "postgresql+psycopg://postgres@127.0.0.1:5432"
CONNECT_TIMEOUT_SECONDS = 3


def database_url(database: str, driver: str = "psycopg") -> str:
    """The URL of ``database`` on the test server, spoken through ``driver``."""
    raw = os.environ.get("DATABASE_URL_TEST") or os.environ.get("SESAME_TEST_PG_URL") or DEFAULT_SERVER_URL
    url = make_url(raw).set(drivername=f"postgresql+{driver}", database=database)
    return url.render_as_string(hide_password=False)


def server_url(driver: str = "psycopg") -> str:
    """The test server's URL without database name (for messages)."""
    return database_url("", driver).split("?")[0].removesuffix("/")


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def unreachable(url: str, error: BaseException) -> NoReturn:
    """Skip the PostgreSQL tests (laptop) or fail them (``CI=true``), saying why in French."""
    shown = make_url(url).render_as_string(hide_password=True)
    reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    if in_ci():
        pytest.fail(
            f"PostgreSQL ne répond pas sur {shown} ({reason}). En CI (CI=true) les tests "
            "PostgreSQL sont obligatoires : démarrez le serveur ou corrigez DATABASE_URL_TEST.",
            pytrace=False,
        )
    pytest.skip(
        f"PostgreSQL ne répond pas sur {shown} : tests PostgreSQL ignorés. Démarrez le serveur "
        "ou indiquez-en un autre dans DATABASE_URL_TEST (ils échouent au lieu d'être ignorés avec CI=true)."
    )


@contextmanager
def throwaway_database(prefix: str, driver: str = "psycopg") -> Iterator[str]:
    """A new empty database on the test server, named ``<prefix>_<random>``, dropped afterwards.

    Raises SQLAlchemy's ``OperationalError`` before yielding when the server does not
    answer; test fixtures turn that into ``unreachable`` (skip or fail), a bench stops.
    """
    admin = sa.create_engine(
        database_url("postgres", driver),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS},
    )
    name = f"{prefix}_{secrets.token_hex(4)}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError:
        admin.dispose()
        raise
    try:
        yield database_url(name, driver)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def throwaway_test_database(prefix: str, driver: str = "psycopg") -> Iterator[str]:
    """``throwaway_database`` for a test session: skipped on a laptop, failed in CI, without a server."""
    with ExitStack() as stack:
        try:
            url = stack.enter_context(throwaway_database(prefix, driver))
        except sa.exc.OperationalError as exc:
            unreachable(database_url("postgres", driver), exc)
        yield url
