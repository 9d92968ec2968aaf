"""The Alembic migrations build exactly the schema of bot/db/models.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, create_engine, inspect

from bot.db.migrate import (
    COMPARE_OPTIONS,
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    downgrade_database,
    head_revision,
    is_up_to_date,
    upgrade_database,
)
from bot.db.models import Base

MODEL_TABLES = set(Base.metadata.tables)


def differences(engine: Engine, metadata: MetaData = Base.metadata) -> list[object]:
    """What ``alembic check`` would report between ``metadata`` and the database."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
        return list(compare_metadata(context, metadata))


def test_there_is_one_head_and_it_is_0001() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == ["0001"]
    assert head_revision() == "0001"


def test_schema_after_upgrade_matches_the_models(engine: Engine) -> None:
    assert set(inspect(engine).get_table_names()) == MODEL_TABLES | {"alembic_version"}
    assert differences(engine) == []


def test_the_comparison_does_notice_a_drift(engine: Engine) -> None:
    """Guards the test above against comparing nothing."""
    drifted = MetaData()
    for table in Base.metadata.sorted_tables:
        table.to_metadata(drifted)
    drifted.tables["members"].append_column(Column("nickname", String(50)))
    kinds = [diff[0] for diff in differences(engine, drifted) if isinstance(diff, tuple)]
    assert kinds == ["add_column"]


def test_downgrade_to_base_then_upgrade_again(db_url: str) -> None:
    assert is_up_to_date(db_url)
    downgrade_database(db_url)
    engine = create_engine(db_url)
    try:
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        assert current_revision(db_url) is None
        upgrade_database(db_url)
        assert current_revision(db_url) == "0001"
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_upgrade_creates_a_new_sqlite_file_and_its_directory(tmp_path: Path) -> None:
    path = tmp_path / "nouveau" / "sesame.db"
    url = f"sqlite:///{path}"
    upgrade_database(url)
    assert path.exists()
    assert is_up_to_date(url)
    upgrade_database(url)  # a second run has nothing to do
    assert current_revision(url) == "0001"


def test_offline_sql_for_postgresql() -> None:
    """``alembic upgrade head --sql`` works without a server (for a DBA to review)."""
    config = alembic_config("postgresql+psycopg://sesame@db.invalid/sesame")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE members" in sql
    assert "CREATE UNIQUE INDEX ix_members_nir_hash" in sql


def test_migrations_do_not_import_the_models() -> None:
    """A migration must keep describing its own revision when the models change."""
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        assert "bot." not in path.read_text(encoding="utf-8"), path.name
