"""The audit log can no longer be rewritten by REPLACE, INSERT OR REPLACE or an upsert.

Migration 0004's triggers refuse UPDATE and DELETE on ``agent_audit``. On SQLite a
``REPLACE INTO`` (or ``INSERT OR REPLACE``) whose id already exists deletes the old
row and inserts the new one, and the implicit delete fires no DELETE trigger unless
``recursive_triggers`` is on: 0004's triggers let it rewrite any line. A BEFORE
INSERT trigger now refuses any insert whose id already exists, before the conflict
is resolved, whatever the conflict clause.

On PostgreSQL ``INSERT … ON CONFLICT DO UPDATE`` fires the row's BEFORE UPDATE
trigger, which 0004 already refuses (tests/agents/test_audit.py proves it), so
nothing changes there. (``TRUNCATE`` is left to the database's privileges: the
tests empty every table with it between tests.)

The same migration adds ``members.nir_window_hashes``: the keyed hashes of every 6
consecutive digits of the member's NIR (see nir_windows in the rules package), so that a code
taken from the NIR is refused although the NIR itself is never stored.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0008"
down_revision: str | Sequence[str] | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The message of 0004's triggers, written out: the tests and callers match on it.
SQLITE_NO_REPLACE = """CREATE TRIGGER agent_audit_no_replace BEFORE INSERT ON agent_audit
    WHEN EXISTS (SELECT 1 FROM agent_audit WHERE id = NEW.id)
    BEGIN SELECT RAISE(ABORT,
        'agent_audit : journal en ajout seul, aucune ligne ne peut être modifiée ni supprimée'); END"""


def upgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.add_column(sa.Column("nir_window_hashes", sa.JSON(), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        op.execute(SQLITE_NO_REPLACE)


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("nir_window_hashes")
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS agent_audit_no_replace")
