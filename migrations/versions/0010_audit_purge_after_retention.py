"""The audit log may lose its old lines to the retention purge, and still cannot be rewritten.

Migrations 0004 and 0008 refuse every UPDATE, DELETE and REPLACE on ``agent_audit``:
the log was kept for ever, which the CNIL does not allow for traces of access to
personal data (six months to a year). The DELETE trigger now lets a line go only when
it is older than ``FLOOR_DAYS`` (180 days, by the database's own clock), which is what
the purge (the privacy package, ``RETENTION_AUDIT_DAYS`` of at least 180 days) asks
for; a younger line is refused as before, with the same message, by our code or
anyone else's. UPDATE and REPLACE stay refused whatever the line's age, so what the
log says cannot be changed: old lines can only disappear, oldest first, on schedule.

The floor is written in the trigger rather than read from the settings: a setting
can be changed by whoever runs the application, the trigger only by a migration.

``audit_events.created_at`` gets an index: the purge deletes by date.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0010"
down_revision: str | Sequence[str] | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The settings' AUDIT_RETENTION_FLOOR_DAYS says the same (a test keeps them in step).
FLOOR_DAYS = 180
APPEND_ONLY_MESSAGE = "agent_audit : journal en ajout seul, aucune ligne ne peut être modifiée ni supprimée"

POSTGRES_FUNCTION = f"""
CREATE OR REPLACE FUNCTION agent_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND OLD.created_at < now() - interval '{FLOOR_DAYS} days' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
"""
POSTGRES_FUNCTION_0004 = f"""
CREATE OR REPLACE FUNCTION agent_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
"""
# A date SQLite cannot read (julianday gives NULL) is refused too: coalesce(…, 1).
SQLITE_DELETE_TRIGGER = f"""CREATE TRIGGER agent_audit_no_delete BEFORE DELETE ON agent_audit
    WHEN coalesce(julianday(OLD.created_at) > julianday('now') - {FLOOR_DAYS}, 1)
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
SQLITE_DELETE_TRIGGER_0004 = f"""CREATE TRIGGER agent_audit_no_delete BEFORE DELETE ON agent_audit
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""


def upgrade() -> None:
    op.create_index(op.f("ix_audit_events_created_at"), "audit_events", ["created_at"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION)
    else:
        op.execute("DROP TRIGGER IF EXISTS agent_audit_no_delete")
        op.execute(SQLITE_DELETE_TRIGGER)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_FUNCTION_0004)
    else:
        op.execute("DROP TRIGGER IF EXISTS agent_audit_no_delete")
        op.execute(SQLITE_DELETE_TRIGGER_0004)
    op.drop_index(op.f("ix_audit_events_created_at"), table_name="audit_events")
