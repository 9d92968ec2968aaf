"""Initial schema: members, reset requests, outbox, postal letters, audit events.

Written from bot/db/models.py as it stands at this revision, with plain SQLAlchemy
types (``UTCDateTime`` is stored as ``DateTime(timezone=True)``) so that this file
never changes when the models do. tests/test_migrations.py checks that it matches
the models on SQLite and PostgreSQL.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("nir_hash", sa.String(length=64), nullable=False),
        sa.Column("first_name", sa.String(length=100), nullable=False),
        sa.Column("last_name", sa.String(length=100), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("street", sa.String(length=200), nullable=False),
        sa.Column("postal_code", sa.String(length=10), nullable=False),
        sa.Column("city", sa.String(length=100), nullable=False),
        sa.Column("access_code_hash", sa.String(length=200), nullable=True),
        sa.Column("first_login_done", sa.Boolean(), nullable=False),
        sa.Column("terms_accepted", sa.Boolean(), nullable=False),
        sa.Column("failed_login_attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("updated_at", UTC_DATETIME, nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_members_nir_hash", "members", ["nir_hash"], unique=True)

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, server_default=sa.func.now(), nullable=False),
        sa.Column("kind", sa.String(length=50), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_audit_events_kind", "audit_events", ["kind"], unique=False)

    op.create_table(
        "reset_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("member_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=True),
        sa.Column("token_expires_at", UTC_DATETIME, nullable=True),
        sa.Column("token_used_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["member_id"], ["members.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("token_hash"),
    )
    op.create_index("ix_reset_requests_created_at", "reset_requests", ["created_at"], unique=False)
    op.create_index("ix_reset_requests_member_id", "reset_requests", ["member_id"], unique=False)

    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reset_request_id", sa.Integer(), nullable=False),
        sa.Column("to_address", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTC_DATETIME, nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("sent_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["reset_request_id"], ["reset_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reset_request_id"),
    )
    op.create_index("ix_outbox_status", "outbox", ["status"], unique=False)

    op.create_table(
        "postal_letters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reset_request_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("expected_by", sa.Date(), nullable=False),
        sa.Column("exported_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["reset_request_id"], ["reset_requests.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("reset_request_id"),
    )


def downgrade() -> None:
    op.drop_table("postal_letters")
    op.drop_index("ix_outbox_status", table_name="outbox")
    op.drop_table("outbox")
    op.drop_index("ix_reset_requests_member_id", table_name="reset_requests")
    op.drop_index("ix_reset_requests_created_at", table_name="reset_requests")
    op.drop_table("reset_requests")
    op.drop_index("ix_audit_events_kind", table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index("ix_members_nir_hash", table_name="members")
    op.drop_table("members")
