"""Presence that follows the agent: the console's last sign of life per session (issue 21, item 1).

- ``agent_sessions.console_seen_at``: when the agent's console last showed it is open
  (its queue read, its push stream), written at most every few seconds. An agent
  counts as « disponible » only while one of their live sessions has a sign of life
  within ``AGENT_PRESENCE_SECONDS`` (the agents' presence module). Existing sessions have
  none: their agents are unavailable until their console next reads the queue.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0013"
down_revision: str | Sequence[str] | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("agent_sessions") as batch:
        batch.add_column(sa.Column("console_seen_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("agent_sessions") as batch:
        batch.drop_column("console_seen_at")
