"""Hand-off notifications: PostgreSQL triggers that ``pg_notify`` every change of the queue.

Several web workers serve the site, each with its own browsers' streams (the
member's ``/chat/flux``, the agents' console); whoever writes a hand-off (the
action server opening it, any web worker taking it or writing in it) must wake
them all. Triggers do that for every writer without any code of theirs: each web
worker LISTENs on the channel (the web tier's push module) and re-reads the database.

The payload names ids only, never a conversation's sender id (the member tab's
secret), a message's text or a NIR:

- ``h:<handoff id>`` when a hand-off is inserted or updated (queued, taken,
  transferred, closed, call-back done);
- ``m:<handoff id>`` when a message is added to a hand-off;
- ``q`` when an agent becomes available or not (the console shows how many are).

SQLite (the one-process demo) has no LISTEN/NOTIFY: its web tier keeps re-reading
on a timer, and this revision does nothing there.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-14
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0007"
down_revision: str | Sequence[str] | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The web tier's push module names it too; a revision never imports the application's code.
CHANNEL = "sesame_handoffs"

POSTGRES_UPGRADE = f"""
CREATE OR REPLACE FUNCTION sesame_notify_handoff() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', 'h:' || NEW.id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER handoffs_notify AFTER INSERT OR UPDATE ON handoffs
    FOR EACH ROW EXECUTE FUNCTION sesame_notify_handoff();

CREATE OR REPLACE FUNCTION sesame_notify_handoff_message() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', 'm:' || NEW.handoff_id);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER handoff_messages_notify AFTER INSERT ON handoff_messages
    FOR EACH ROW EXECUTE FUNCTION sesame_notify_handoff_message();

CREATE OR REPLACE FUNCTION sesame_notify_agent_availability() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('{CHANNEL}', 'q');
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agents_availability_notify AFTER UPDATE OF available ON agents
    FOR EACH ROW WHEN (OLD.available IS DISTINCT FROM NEW.available)
    EXECUTE FUNCTION sesame_notify_agent_availability();
"""

POSTGRES_DOWNGRADE = """
DROP TRIGGER IF EXISTS agents_availability_notify ON agents;
DROP FUNCTION IF EXISTS sesame_notify_agent_availability();
DROP TRIGGER IF EXISTS handoff_messages_notify ON handoff_messages;
DROP FUNCTION IF EXISTS sesame_notify_handoff_message();
DROP TRIGGER IF EXISTS handoffs_notify ON handoffs;
DROP FUNCTION IF EXISTS sesame_notify_handoff();
"""


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_UPGRADE)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_DOWNGRADE)
