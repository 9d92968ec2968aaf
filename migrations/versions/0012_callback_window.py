"""The call-back's window read from the member's words (issue 21, item 5).

- ``handoffs.callback_from`` / ``callback_until``: when the member would like to be
  called, in UTC, read from their words by the call-back form (« vers 17h »:
  16 h 30 – 17 h 30 in Paris). ``callback_slot`` now keeps those words as written
  (it held the button's « Le matin » until now). Older rows and « peu importe » have
  no window.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0012"
down_revision: str | Sequence[str] | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.add_column(sa.Column("callback_from", UTC_DATETIME, nullable=True))
        batch.add_column(sa.Column("callback_until", UTC_DATETIME, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("handoffs") as batch:
        batch.drop_column("callback_until")
        batch.drop_column("callback_from")
