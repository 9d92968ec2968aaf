"""Constraint names from a naming convention; drop the member columns nothing uses.

0001 let each database name the constraints: PostgreSQL wrote ``members_pkey``,
``outbox_reset_request_id_key``, ``reset_requests_member_id_fkey``…, SQLite left
them unnamed. A later migration could then not drop one by name on both. The
models now carry SQLAlchemy's naming convention (``NAMING_CONVENTION`` in the models)
and this revision gives the existing constraints those names: PostgreSQL renames
them in place; SQLite cannot rename a constraint, so each table is rebuilt in batch
mode with the convention applied to its unnamed constraints. Index names already
followed the convention (``ix_<table>_<column>``).

``members.first_login_done``, ``terms_accepted`` and ``failed_login_attempts`` were
never read nor written by the bot (they are the member space's business): dropped.
Downgrade gives them back (``false``/``0`` for existing rows) with PostgreSQL's own
constraint names; on SQLite the constraints keep their new names, which SQLite
never uses but in error messages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# A copy, not an import of the models: a migration describes its own revision.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Tables in creation order (a table after those it refers to).
TABLES = ("members", "audit_events", "reset_requests", "outbox", "postal_letters")

# (table, PostgreSQL's name, the convention's name)
POSTGRESQL_RENAMES = (
    ("members", "members_pkey", "pk_members"),
    ("audit_events", "audit_events_pkey", "pk_audit_events"),
    ("audit_events", "audit_events_member_id_fkey", "fk_audit_events_member_id_members"),
    ("reset_requests", "reset_requests_pkey", "pk_reset_requests"),
    ("reset_requests", "reset_requests_member_id_fkey", "fk_reset_requests_member_id_members"),
    ("reset_requests", "reset_requests_token_hash_key", "uq_reset_requests_token_hash"),
    ("outbox", "outbox_pkey", "pk_outbox"),
    ("outbox", "outbox_reset_request_id_fkey", "fk_outbox_reset_request_id_reset_requests"),
    ("outbox", "outbox_reset_request_id_key", "uq_outbox_reset_request_id"),
    ("postal_letters", "postal_letters_pkey", "pk_postal_letters"),
    (
        "postal_letters",
        "postal_letters_reset_request_id_fkey",
        "fk_postal_letters_reset_request_id_reset_requests",
    ),
    ("postal_letters", "postal_letters_reset_request_id_key", "uq_postal_letters_reset_request_id"),
)

DROPPED_COLUMNS = ("first_login_done", "terms_accepted", "failed_login_attempts")


def _dropped_columns() -> list[sa.Column[object]]:
    """The dropped columns as 0001 made them, with a default for the rows already there."""
    return [
        sa.Column("first_login_done", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("terms_accepted", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("failed_login_attempts", sa.Integer(), nullable=False, server_default="0"),
    ]


def _is_sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def upgrade() -> None:
    if _is_sqlite():
        # SQLite rebuilds each table; the convention names the reflected, unnamed
        # constraints of the copy. Foreign keys are not enforced during the copy
        # (SQLite's default), so the order of rebuilds does not matter.
        for table in TABLES:
            with op.batch_alter_table(table, recreate="always", naming_convention=NAMING_CONVENTION) as batch:
                if table == "members":
                    for column in DROPPED_COLUMNS:
                        batch.drop_column(column)
        return
    _rename_postgresql_constraints({old: new for _, old, new in POSTGRESQL_RENAMES})
    for column in DROPPED_COLUMNS:
        op.drop_column("members", column)


def _rename_postgresql_constraints(renames: dict[str, str]) -> None:
    """Rename the constraints found under an old name; the others are left as they are.

    A database made by 0001 before the models had a naming convention holds
    PostgreSQL's names; one made since already holds the convention's (Alembic's
    ``op.create_table`` applies the target metadata's convention, even in 0001).
    The test runs in the database, so ``alembic upgrade --sql`` works too.
    """
    table_of = {old: table for table, old, _ in POSTGRESQL_RENAMES}
    table_of.update({new: table for table, _, new in POSTGRESQL_RENAMES})
    for old, new in renames.items():
        table = table_of[old]
        sql = (  # names from the constants above, never from input
            "DO $$ BEGIN IF EXISTS (SELECT 1 FROM pg_constraint"  # noqa: S608
            f" WHERE conname = '{old}' AND conrelid = '{table}'::regclass)"
            f" THEN ALTER TABLE {table} RENAME CONSTRAINT {old} TO {new}; END IF; END $$"
        )
        op.execute(sql)


def downgrade() -> None:
    if _is_sqlite():
        with op.batch_alter_table("members") as batch:
            for column in _dropped_columns():
                batch.add_column(column)
        with op.batch_alter_table("members") as batch:  # 0001 had no server default
            for column in DROPPED_COLUMNS:
                batch.alter_column(column, server_default=None)
        return
    for column in _dropped_columns():
        op.add_column("members", column)
    for column in DROPPED_COLUMNS:
        op.alter_column("members", column, server_default=None)
    _rename_postgresql_constraints({new: old for _, old, new in POSTGRESQL_RENAMES})
