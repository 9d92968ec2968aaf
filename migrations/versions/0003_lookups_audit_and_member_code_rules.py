"""NIR look-ups audited and limited per client; what the access-code rules need.

- ``nir_lookups``: one row per look-up by NIR (keyed hashes of the NIR and of the
  client, outcome), the audit trail that the per-client and global limits count.
- ``reset_requests.client_hash``: who asked, so reset requests are limited per client.
- ``members.pending_access_code_hash``: a letter's code waits here until the member
  first uses it; the current code stays valid meanwhile.
- ``members.birth_year2`` and ``birth_month``: from the NIR at import, all the
  "not your birth date" check of a new code needs.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "nir_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("nir_hash", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nir_lookups")),
    )
    op.create_index(op.f("ix_nir_lookups_created_at"), "nir_lookups", ["created_at"])
    op.create_index(op.f("ix_nir_lookups_client_hash"), "nir_lookups", ["client_hash"])
    op.create_index(op.f("ix_nir_lookups_nir_hash"), "nir_lookups", ["nir_hash"])
    op.add_column("reset_requests", sa.Column("client_hash", sa.String(length=64), nullable=True))
    op.create_index(op.f("ix_reset_requests_client_hash"), "reset_requests", ["client_hash"])
    op.add_column("members", sa.Column("pending_access_code_hash", sa.String(length=200), nullable=True))
    op.add_column("members", sa.Column("birth_year2", sa.SmallInteger(), nullable=True))
    op.add_column("members", sa.Column("birth_month", sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("members") as batch:
        batch.drop_column("birth_month")
        batch.drop_column("birth_year2")
        batch.drop_column("pending_access_code_hash")
    op.drop_index(op.f("ix_reset_requests_client_hash"), table_name="reset_requests")
    with op.batch_alter_table("reset_requests") as batch:
        batch.drop_column("client_hash")
    op.drop_index(op.f("ix_nir_lookups_nir_hash"), table_name="nir_lookups")
    op.drop_index(op.f("ix_nir_lookups_client_hash"), table_name="nir_lookups")
    op.drop_index(op.f("ix_nir_lookups_created_at"), table_name="nir_lookups")
    op.drop_table("nir_lookups")
