"""Engines and sessions for the member database.

One engine per process and URL (connection pool), one session per unit of work:
``with session_scope(engine) as session: ...`` commits on success and rolls back
on error. Never a module-level session.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from bot.settings import PROJECT_ROOT, get_settings


def _absolute_sqlite(url: str) -> str:
    """SQLite paths in settings are relative to the project, not to the caller's cwd."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return url
    path = Path(parsed.database)
    if not path.is_absolute():
        path = PROJECT_ROOT / path
    path.parent.mkdir(parents=True, exist_ok=True)
    return parsed.set(database=str(path)).render_as_string(hide_password=False)


@lru_cache(maxsize=8)
def make_engine(url: str) -> Engine:
    """The engine for ``url``, created once per process."""
    options: dict[str, object] = {"pool_pre_ping": True}
    if make_url(url).get_backend_name() == "postgresql":
        # Pools bounded so that every replica together stays under max_connections (bot.db.pools).
        settings = get_settings()
        options.update(pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow)
    engine = create_engine(_absolute_sqlite(url), **options)
    if engine.dialect.name == "sqlite":

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection, _record):  # type: ignore[no-untyped-def]
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work: committed if the block succeeds, rolled back otherwise."""
    session = sessionmaker(engine, expire_on_commit=False)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
