"""The Alembic migrations build exactly the schema of bot/db/models.py, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Column, Engine, MetaData, String, create_engine, inspect, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

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
from bot.db.models import AuditEvent, AuditKind, Base, EmailStatus, Member, OutgoingEmail, ResetChannel

# Every test here migrates an empty database itself (tests.support.db), never a copy.
pytestmark = pytest.mark.fresh_schema

MODEL_TABLES = set(Base.metadata.tables)


def differences(engine: Engine, metadata: MetaData = Base.metadata) -> list[object]:
    """What ``alembic check`` would report between ``metadata`` and the database."""
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts=COMPARE_OPTIONS)
        return list(compare_metadata(context, metadata))


HEAD = "0014"


def test_there_is_one_head_and_it_is_the_latest() -> None:
    script = ScriptDirectory.from_config(alembic_config())
    assert script.get_heads() == [HEAD]
    assert head_revision() == HEAD


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
        assert current_revision(db_url) == HEAD
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
    assert current_revision(url) == HEAD


def test_offline_sql_for_postgresql() -> None:
    """``alembic upgrade head --sql`` works without a server (for a DBA to review)."""
    config = alembic_config("postgresql+psycopg://sesame@db.invalid/sesame")
    config.output_buffer = io.StringIO()
    command.upgrade(config, "head", sql=True)
    sql = config.output_buffer.getvalue()
    assert "CREATE TABLE members" in sql
    assert "CREATE UNIQUE INDEX ix_members_nir_hash" in sql
    assert "ALTER TABLE members DROP COLUMN terms_accepted" in sql


def test_migrations_do_not_import_the_models() -> None:
    """A migration must keep describing its own revision when the models change."""
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        assert "bot." not in path.read_text(encoding="utf-8"), path.name


# --- 0002: conventional constraint names, unused member columns dropped ------------

DROPPED = {"first_login_done", "terms_accepted", "failed_login_attempts"}


def _constraint_names(engine: Engine) -> set[str]:
    """Names of every primary key, foreign key and unique constraint of the schema."""
    inspector = inspect(engine)
    names: set[str | None] = set()
    for table in MODEL_TABLES & set(inspector.get_table_names()):
        names.add(inspector.get_pk_constraint(table)["name"])
        names.update(fk["name"] for fk in inspector.get_foreign_keys(table))
        names.update(uq["name"] for uq in inspector.get_unique_constraints(table))
    return {name for name in names if name is not None}


def _member_columns(engine: Engine) -> set[str]:
    return {column["name"] for column in inspect(engine).get_columns("members")}


def _fill_at_0001(engine: Engine) -> None:
    """A member with a reset email and an audit event, as 0001 stored them."""
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO members (id, nir_hash, first_name, last_name, email, street, postal_code,"
                " city, first_login_done, terms_accepted, failed_login_attempts, created_at, updated_at)"
                " VALUES (1, 'h', 'Ana', 'Lune', 'a@example.org', '1 rue', '75001', 'Paris',"
                " true, true, 2, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO reset_requests (id, member_id, channel, created_at) VALUES (1, 1, 'email', :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text(
                "INSERT INTO outbox (id, reset_request_id, to_address, status, attempts, next_attempt_at,"
                " created_at) VALUES (1, 1, 'a@example.org', 'pending', 0, :now, :now)"
            ),
            {"now": NOW},
        )
        connection.execute(
            text("INSERT INTO audit_events (kind, member_id, detail) VALUES ('reset_requested', 1, '{}')")
        )


# Yesterday rather than a fixed date: an audit line older than 180 days may be deleted (0010),
# and the tests below that expect a refusal must not start failing as time goes by.
NOW = (dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)).replace(microsecond=0)


def test_0002_keeps_the_rows_and_names_every_constraint(db_url: str) -> None:
    downgrade_database(db_url, "0001")
    engine = create_engine(db_url)
    try:
        _fill_at_0001(engine)
        upgrade_database(db_url)
        assert differences(engine) == []
        assert _member_columns(engine).isdisjoint(DROPPED)
        assert {
            "pk_members",
            "fk_audit_events_member_id_members",
            "uq_reset_requests_token_hash",
            "uq_outbox_reset_request_id",
            "fk_postal_letters_reset_request_id_reset_requests",
        } <= _constraint_names(engine)
        with Session(engine) as session:
            email = session.get_one(OutgoingEmail, 1)
            assert email.status is EmailStatus.PENDING
            assert email.reset_request.channel is ResetChannel.EMAIL
            assert email.reset_request.member.first_name == "Ana"
            assert session.scalars(select(AuditEvent.kind)).all() == [AuditKind.RESET_REQUESTED]
    finally:
        engine.dispose()


def test_0002_downgrade_gives_the_columns_back(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        with Session(engine) as session:
            session.add(
                Member(
                    nir_hash="h",
                    first_name="Ana",
                    last_name="Lune",
                    street="1 rue",
                    postal_code="75001",
                    city="Paris",
                )
            )
            session.commit()
        downgrade_database(db_url, "0001")
        assert DROPPED <= _member_columns(engine)
        with engine.connect() as connection:
            row = connection.execute(
                text("SELECT first_login_done, terms_accepted, failed_login_attempts FROM members")
            ).one()
        assert tuple(row) == (False, False, 0)
        if engine.dialect.name == "postgresql":  # PostgreSQL's own names, as 0001 left them
            assert {"members_pkey", "outbox_reset_request_id_key"} <= _constraint_names(engine)
        upgrade_database(db_url)
        assert differences(engine) == []
    finally:
        engine.dispose()


def test_the_models_name_their_constraints_by_convention() -> None:
    """A constraint without a conventional name would come back as a rename in ``alembic check``."""
    for table in Base.metadata.sorted_tables:
        for constraint in table.constraints:
            assert str(constraint.name).split("_")[0] in {"pk", "fk", "uq", "ck"}, (table.name, constraint)
        for index in table.indexes:
            assert str(index.name).startswith("ix_"), (table.name, index)


# --- 0003: look-ups audited, reset requests by client, what the code rules need -----


def test_0003_adds_the_lookup_audit_and_keeps_the_rows(db_url: str) -> None:
    downgrade_database(db_url, "0002")
    engine = create_engine(db_url)
    try:
        assert "nir_lookups" not in inspect(engine).get_table_names()
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO members (nir_hash, first_name, last_name, street, postal_code, city,"
                    " created_at, updated_at) VALUES ('h', 'Ana', 'Lune', '1 rue', '75001', 'Paris',"
                    " :now, :now)"
                ),
                {"now": NOW},
            )
        upgrade_database(db_url)
        assert differences(engine) == []
        assert {"pending_access_code_hash", "birth_year2", "birth_month"} <= _member_columns(engine)
        assert "ix_nir_lookups_client_hash" in {
            index["name"] for index in inspect(engine).get_indexes("nir_lookups")
        }
        with Session(engine) as session:
            member = session.scalars(select(Member)).one()
            assert (member.first_name, member.birth_month, member.pending_access_code_hash) == (
                "Ana",
                None,
                None,
            )
        downgrade_database(db_url, "0002")
        assert "nir_lookups" not in inspect(engine).get_table_names()
        assert "birth_month" not in _member_columns(engine)
    finally:
        engine.dispose()


# --- 0004: the agents' console ----------------------------------------------------------


def test_0004_adds_the_agents_tables_keeps_requests_and_its_log_stays_append_only(db_url: str) -> None:
    downgrade_database(db_url, "0003")
    engine = create_engine(db_url)
    try:
        assert not {"agents", "agent_sessions", "agent_audit"} & set(inspect(engine).get_table_names())
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO members (nir_hash, first_name, last_name, street, postal_code, city,"
                    " created_at, updated_at) VALUES ('h', 'Ana', 'Lune', '1 rue', '75001', 'Paris',"
                    " :now, :now)"
                ),
                {"now": NOW},
            )
            connection.execute(
                text(
                    "INSERT INTO reset_requests (member_id, channel, created_at)"
                    " SELECT id, 'letter', :now FROM members"
                ),
                {"now": NOW},
            )
        upgrade_database(db_url)
        assert differences(engine) == []
        with engine.begin() as connection:
            assert connection.execute(text("SELECT agent_id FROM reset_requests")).scalar_one() is None
            connection.execute(
                text(
                    "INSERT INTO agent_audit (created_at, actor, action, detail)"
                    " VALUES (:now, 'claire', 'sign_in', '{}')"
                ),
                {"now": NOW},
            )
        for statement in ("UPDATE agent_audit SET actor = 'marc'", "DELETE FROM agent_audit"):
            with pytest.raises(DBAPIError, match="journal en ajout seul"):
                with engine.begin() as connection:
                    connection.execute(text(statement))
        downgrade_database(db_url, "0003")
        assert "agent_audit" not in inspect(engine).get_table_names()
        assert "agent_id" not in {c["name"] for c in inspect(engine).get_columns("reset_requests")}
        upgrade_database(db_url)  # and again: the trigger's function is created anew on PostgreSQL
        with pytest.raises(DBAPIError, match="journal en ajout seul"):
            with engine.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO agent_audit (created_at, actor, action, detail)"
                        " VALUES (:now, 'claire', 'sign_in', '{}')"
                    ),
                    {"now": NOW},
                )
                connection.execute(text("DELETE FROM agent_audit"))
    finally:
        engine.dispose()


# --- 0010: the audit log loses lines older than 180 days, never younger ones -------------------


def _audit_line(engine: Engine, actor: str, age: dt.timedelta) -> None:
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO agent_audit (created_at, actor, action, detail)"
                " VALUES (:at, :actor, 'sign_in', '{}')"
            ),
            {"at": dt.datetime.now(dt.timezone.utc) - age, "actor": actor},
        )


def _audit_actors(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT actor FROM agent_audit ORDER BY id")).scalars())


def test_0010_lets_only_lines_older_than_180_days_be_deleted_and_0009_refuses_all(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        _audit_line(engine, "ancien", dt.timedelta(days=181))
        _audit_line(engine, "limite", dt.timedelta(days=179, hours=23))
        _audit_line(engine, "recent", dt.timedelta(hours=1))
        with pytest.raises(DBAPIError, match="journal en ajout seul"):
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM agent_audit"))
        with pytest.raises(DBAPIError, match="journal en ajout seul"):
            with engine.begin() as connection:
                connection.execute(text("UPDATE agent_audit SET actor = 'autre' WHERE actor = 'ancien'"))
        assert _audit_actors(engine) == ["ancien", "limite", "recent"]
        downgrade_database(db_url, "0009")
        with pytest.raises(DBAPIError, match="journal en ajout seul"):
            with engine.begin() as connection:
                connection.execute(text("DELETE FROM agent_audit WHERE actor = 'ancien'"))
        upgrade_database(db_url)
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM agent_audit WHERE actor = 'ancien'"))
        assert _audit_actors(engine) == ["limite", "recent"]
    finally:
        engine.dispose()
