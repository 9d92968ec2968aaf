"""NIR look-ups limited per network as well as per address (issue 20, finding 6).

- ``nir_lookups.network_hash``: the keyed hash of the client's network (IPv4 /24,
  IPv6 /64), so that many addresses of one network cannot together take the whole
  minute's look-ups. Older rows have none: they count per address only.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0009"
down_revision: str | Sequence[str] | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("nir_lookups") as batch:
        batch.add_column(sa.Column("network_hash", sa.String(length=64), nullable=True))
        batch.create_index(batch.f("ix_nir_lookups_network_hash"), ["network_hash"])


def downgrade() -> None:
    with op.batch_alter_table("nir_lookups") as batch:
        batch.drop_index(batch.f("ix_nir_lookups_network_hash"))
        batch.drop_column("network_hash")
