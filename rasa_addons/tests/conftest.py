"""A tracker-store database per test, on SQLite and on PostgreSQL (production's store).

The test session makes its own throw-away PostgreSQL database and drops it at the
end. The server, and skipping (laptop) or failing (``CI=true``) without one, are as
for the other test suite: ``tests.support.postgres`` (``DATABASE_URL_TEST``).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.support.postgres import throwaway_test_database


@pytest.fixture(scope="session")
def postgres_server_database() -> Iterator[str]:
    # env A talks to PostgreSQL through psycopg2, Rasa's driver.
    with throwaway_test_database("sesame_tracker_test", "psycopg2") as url:
        yield url


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
