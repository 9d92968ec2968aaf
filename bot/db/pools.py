"""How many PostgreSQL connections Sésame may open, all replicas together.

Every process keeps a connection pool per database it uses: ``pool_size`` connections
kept open, and up to ``max_overflow`` more under load. PostgreSQL refuses clients
beyond ``max_connections`` (100 by default), so the pools must add up to less, with
room for the command line and maintenance (``RESERVED``):

    R_rasa × (SQL_POOL_SIZE + SQL_MAX_OVERFLOW)                      conversation store
  + (2 × R_web + R_actions + R_mail) × (DB_POOL_SIZE + DB_MAX_OVERFLOW)  member database
  + R_web × LISTENERS_PER_WEB                                          notifications
  + RESERVED                                                           ≤ max_connections

A web worker counts twice: the member database, and the conversation store read by
the trainers' workbench; plus the one connection, outside the pool, on which it
LISTENs for hand-off notifications (``bot.web.push``). ``./sesame db pools`` prints the sum for given replica
counts and, on PostgreSQL, compares it with the server's ``max_connections``.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.settings import Settings

RESERVED = 5
# bot.web.push: each web worker's own LISTEN connection, outside its pool.
LISTENERS_PER_WEB = 1


@dataclass(frozen=True)
class Replicas:
    """How many processes of each kind run (``make run``: one of each)."""

    rasa: int = 1
    web: int = 1
    actions: int = 1
    mail_worker: int = 1


def per_engine(settings: Settings) -> tuple[int, int]:
    """The most connections one engine may open: (member database, conversation store)."""
    return (
        settings.db_pool_size + settings.db_max_overflow,
        settings.sql_pool_size + settings.sql_max_overflow,
    )


def connections_needed(settings: Settings, replicas: Replicas) -> int:
    """The formula of the module docstring, reserve included."""
    member, conversations = per_engine(settings)
    member_engines = 2 * replicas.web + replicas.actions + replicas.mail_worker
    listeners = replicas.web * LISTENERS_PER_WEB
    return replicas.rasa * conversations + member_engines * member + listeners + RESERVED


def explain(settings: Settings, replicas: Replicas, max_connections: int | None) -> str:
    """The sum, in French, and whether it fits."""
    member, conversations = per_engine(settings)
    total = connections_needed(settings, replicas)
    lines = [
        f"Rasa : {replicas.rasa} × {conversations} (SQL_POOL_SIZE + SQL_MAX_OVERFLOW)",
        f"Pages web : {replicas.web} × 2 × {member}, serveur d'actions : {replicas.actions} × {member}, "
        f"envoi des e-mails : {replicas.mail_worker} × {member} (DB_POOL_SIZE + DB_MAX_OVERFLOW)",
        f"Notifications des pages web : {replicas.web} × {LISTENERS_PER_WEB}",
        f"Réserve (ligne de commande, maintenance) : {RESERVED}",
        f"Total au plus : {total} connexions",
    ]
    if max_connections is not None:
        verdict = "tient" if total <= max_connections else "DÉPASSE"
        lines.append(f"PostgreSQL accepte {max_connections} connexions : la configuration {verdict}.")
    return "\n".join(lines)
