"""The trainers' workbench: decisions about inbox messages, and conversations flagged for review.

- ``review_decisions``: one per member message (tracker event id within its
  conversation): accepted, moved to another intent, out of scope or discarded, by
  whom and when, with the redacted text that was decided on.
- ``review_flags``: an agent asks trainers to look at a conversation.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "review_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("target_intent", sa.String(length=100), nullable=True),
        sa.Column("reviewer", sa.String(length=64), nullable=False),
        sa.Column("decided_at", UTC_DATETIME, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_decisions")),
        sa.UniqueConstraint("conversation_id", "event_id", name=op.f("uq_review_decisions_conversation_id")),
    )
    op.create_index(op.f("ix_review_decisions_conversation_id"), "review_decisions", ["conversation_id"])
    op.create_index(op.f("ix_review_decisions_decided_at"), "review_decisions", ["decided_at"])
    op.create_table(
        "review_flags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("agent_login", sa.String(length=64), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_flags")),
    )
    op.create_index(op.f("ix_review_flags_conversation_id"), "review_flags", ["conversation_id"])


def downgrade() -> None:
    op.drop_table("review_flags")
    op.drop_table("review_decisions")
