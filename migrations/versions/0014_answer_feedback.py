"""The widget's « Cette réponse vous a aidé ? » (issue 22): the members' « Oui » and « Non ».

- ``answer_feedback``: one per rated answer, named by the member message it answered
  (tracker event id within its conversation); whether it helped, and when. No free
  text. A « Non » puts the message in the trainers' inbox. Kept as long as the
  conversation (``RETENTION_CONVERSATIONS_DAYS``), erased with it.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0014"
down_revision: str | Sequence[str] | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("helpful", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
        sa.UniqueConstraint("conversation_id", "event_id", name=op.f("uq_answer_feedback_conversation_id")),
    )
    op.create_index(op.f("ix_answer_feedback_conversation_id"), "answer_feedback", ["conversation_id"])
    op.create_index(op.f("ix_answer_feedback_created_at"), "answer_feedback", ["created_at"])


def downgrade() -> None:
    op.drop_table("answer_feedback")
