"""The agents' console: accounts, sessions, sign-in attempts, an append-only audit log.

- ``agents``: login, display name, Argon2 password hash, role, active flag.
- ``agent_sessions``: signed-in sessions (SHA-256 of the cookie's token).
- ``agent_sign_in_attempts``: what the per-login and per-address limits count.
- ``agent_audit``: who did what, when, for which member (NIR hash); triggers refuse
  UPDATE and DELETE, so that not even a bug in our code can rewrite history.
- ``reset_requests.agent_id``: a request made on a member's behalf names its agent.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

UTC_DATETIME = sa.DateTime(timezone=True)
APPEND_ONLY_MESSAGE = "agent_audit : journal en ajout seul, aucune ligne ne peut être modifiée ni supprimée"

POSTGRES_TRIGGER = f"""
CREATE OR REPLACE FUNCTION agent_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '{APPEND_ONLY_MESSAGE}';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER agent_audit_append_only BEFORE UPDATE OR DELETE ON agent_audit
    FOR EACH ROW EXECUTE FUNCTION agent_audit_append_only();
"""
SQLITE_TRIGGERS = [
    f"""CREATE TRIGGER agent_audit_no_{verb.lower()} BEFORE {verb} ON agent_audit
    BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"""
    for verb in ("UPDATE", "DELETE")
]


def upgrade() -> None:
    op.create_table(
        "agents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=100), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_sign_in_at", UTC_DATETIME, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agents")),
        sa.UniqueConstraint("login", name=op.f("uq_agents_login")),
    )
    op.create_table(
        "agent_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("agent_id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("last_seen_at", UTC_DATETIME, nullable=False),
        sa.Column("ended_at", UTC_DATETIME, nullable=True),
        sa.ForeignKeyConstraint(["agent_id"], ["agents.id"], name=op.f("fk_agent_sessions_agent_id_agents")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_agent_sessions_token_hash")),
    )
    op.create_index(op.f("ix_agent_sessions_agent_id"), "agent_sessions", ["agent_id"])
    op.create_table(
        "agent_sign_in_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("client_hash", sa.String(length=64), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_sign_in_attempts")),
    )
    for column in ("created_at", "login", "client_hash"):
        op.create_index(op.f(f"ix_agent_sign_in_attempts_{column}"), "agent_sign_in_attempts", [column])
    op.create_table(
        "agent_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", UTC_DATETIME, nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=50), nullable=False),
        sa.Column("nir_hash", sa.String(length=64), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agent_audit")),
    )
    for column in ("created_at", "actor", "action", "nir_hash"):
        op.create_index(op.f(f"ix_agent_audit_{column}"), "agent_audit", [column])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(POSTGRES_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    with op.batch_alter_table("reset_requests") as batch:
        batch.add_column(sa.Column("agent_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(op.f("fk_reset_requests_agent_id_agents"), "agents", ["agent_id"], ["id"])
        batch.create_index(op.f("ix_reset_requests_agent_id"), ["agent_id"])


def downgrade() -> None:
    with op.batch_alter_table("reset_requests") as batch:
        batch.drop_index(op.f("ix_reset_requests_agent_id"))
        batch.drop_constraint(op.f("fk_reset_requests_agent_id_agents"), type_="foreignkey")
        batch.drop_column("agent_id")
    op.drop_table("agent_audit")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS agent_audit_append_only()")
    op.drop_table("agent_sign_in_attempts")
    op.drop_table("agent_sessions")
    op.drop_table("agents")
