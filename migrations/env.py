"""Alembic environment for the member database.

Which database, in order: an open connection handed over by the caller
(``config.attributes["connection"]``, used by tests and bot.db.migrate), a URL
handed over by the caller (``config.attributes["url"]``), ``alembic -x url=...``,
and finally DATABASE_URL from bot.settings — the same resolution as the bot, so
``alembic upgrade head`` migrates the database the bot will read. Engines come
from bot.db.engine.make_engine, so a relative SQLite path means the same file
whatever the current directory.

SQLite cannot ALTER most things, hence ``render_as_batch`` there: later migrations
rebuild the table instead, with its foreign keys off (a connection handed over by the
caller must come with them off: SQLite cannot change that inside a transaction).
"""

from __future__ import annotations

from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

from bot.db.engine import make_engine
from bot.db.migrate import COMPARE_OPTIONS
from bot.db.models import Base
from bot.settings import load_settings

config = context.config
target_metadata = Base.metadata

if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name)


def database_url() -> str:
    url = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    return str(url) if url else load_settings()["DATABASE_URL"]


def render_item(type_: str, obj: Any, autogen_context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes project types as their SQLAlchemy base type (``UTCDateTime``
    becomes ``sa.DateTime(timezone=True)``): a migration must not import the models,
    which keep changing after it is written."""
    if type_ == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def configure(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        render_item=render_item,
        **COMPARE_OPTIONS,
    )


def run_migrations_offline() -> None:
    """``alembic upgrade --sql``: print the SQL instead of running it."""
    url = database_url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        dialect_opts={"paramstyle": "named"},
        render_as_batch=url.startswith("sqlite"),
        **COMPARE_OPTIONS,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection: Connection | None = config.attributes.get("connection")
    if connection is not None:
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    with make_engine(database_url()).connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # A batch rebuild drops and recreates a table that others refer to: with
            # the foreign keys that make_engine turns on, the DROP would fail. SQLite
            # ignores this pragma inside a transaction, hence before it begins.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
