"""Run the Alembic migrations from Python (``./sesame db upgrade``, tests).

The schema is only ever created by the migrations, never by ``create_all``: the
database the bot reads is then exactly the one the next migration expects.
``alembic.ini`` stays the single configuration (its paths are relative to the
file itself, so this works from any directory).
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

from bot.db.engine import make_engine
from bot.settings import PROJECT_ROOT

ALEMBIC_INI = PROJECT_ROOT / "alembic.ini"
MIGRATIONS_DIR = PROJECT_ROOT / "migrations"

# What counts as a difference between the models and the database, for
# autogenerate, `alembic check` and tests/test_migrations.py alike.
COMPARE_OPTIONS: dict[str, Any] = {"compare_type": True, "compare_server_default": True}


def alembic_config(url: str | None = None, connection: Connection | None = None) -> Config:
    """The project's Alembic configuration, aimed at ``url`` or at an open ``connection``.

    Logging is left alone: ``alembic.ini``'s logging section is for the ``alembic``
    command, and applying it inside the bot or pytest would silence their loggers.
    """
    config = Config(str(ALEMBIC_INI))
    config.attributes["configure_logger"] = False
    if url is not None:
        config.attributes["url"] = url
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade_database(url: str) -> None:
    """``alembic upgrade head`` on ``url`` (SQLite paths relative to the project)."""
    command.upgrade(alembic_config(url), "head")


def downgrade_database(url: str, revision: str = "base") -> None:
    """``alembic downgrade`` on ``url``; ``base`` drops every table of the schema."""
    command.downgrade(alembic_config(url), revision)


def head_revision() -> str | None:
    """The newest migration in ``migrations/versions``."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(url: str) -> str | None:
    """The migration the database at ``url`` is at; ``None`` if it was never migrated."""
    with make_engine(url).connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def is_up_to_date(url: str) -> bool:
    """Whether the database at ``url`` is at the newest migration."""
    return current_revision(url) == head_revision()
