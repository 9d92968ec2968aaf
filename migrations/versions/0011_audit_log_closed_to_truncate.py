"""On PostgreSQL, the audit log cannot be emptied by TRUNCATE either.

Row triggers (0004, 0008, 0010) do not fire on ``TRUNCATE``, which empties a table
in one statement: whoever may connect as the application could wipe the log in a
millisecond and leave no trace. A statement trigger ``BEFORE TRUNCATE`` now refuses
it, with the append-only message; ``TRUNCATE … CASCADE`` from another table is
refused as well, since it truncates ``agent_audit`` too. The retention purge deletes
old lines one by one (0010), which the row trigger allows.

Only the table's owner can disable the trigger (``ALTER TABLE … DISABLE TRIGGER``),
which the test suite does inside the transaction that empties its throw-away database
between tests; an operator doing the same leaves a DDL statement in PostgreSQL's log.

SQLite has no TRUNCATE: its ``DELETE FROM`` without a WHERE fires the row trigger.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0011"
down_revision: str | Sequence[str] | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TRIGGER = "agent_audit_no_truncate"
APPEND_ONLY_MESSAGE = "agent_audit : journal en ajout seul, aucune ligne ne peut être modifiée ni supprimée"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION agent_audit_no_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(POSTGRES_FUNCTION)
    op.execute(
        f"CREATE TRIGGER {TRIGGER} BEFORE TRUNCATE ON agent_audit "
        "FOR EACH STATEMENT EXECUTE FUNCTION agent_audit_no_truncate()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP TRIGGER IF EXISTS {TRIGGER} ON agent_audit")
    op.execute("DROP FUNCTION IF EXISTS agent_audit_no_truncate()")
