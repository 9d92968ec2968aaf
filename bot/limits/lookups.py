"""How many NIR look-ups a client, and everyone together, may make.

A look-up tells a member from a non-member and shows a masked email: one client
trying numbers must be stopped long before it learns anything at scale. Limits:

- ``PER_CLIENT`` look-ups per client in ``CLIENT_WINDOW`` (10 an hour): a member who
  mistypes their number a few times is never near it; the answer says when to retry.
- ``PER_NETWORK`` look-ups per network (IPv4 /24, IPv6 /64) in ``CLIENT_WINDOW`` (30 an
  hour): one attacker's many addresses count together, and cannot alone take the
  minute's look-ups of everyone; a household or an office behind one network stays
  far from it.
- ``GLOBAL_PER_MINUTE`` look-ups a minute for everyone: above it, look-ups pause for
  the rest of the minute and a warning is logged (many clients at once is an attack,
  or a fault upstream that an operator must see).

Every look-up, answered or refused, is a row of ``nir_lookups`` (the audit trail):
reserve the row first, look the member up, then record the outcome, all in the
caller's unit of work. Counting and reserving are serialised (an advisory lock on
PostgreSQL, the database write lock on SQLite), so two processes cannot both take
the last look-up of a client.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from bot.db.models import NirLookup

logger = logging.getLogger(__name__)

PER_CLIENT = 10
PER_NETWORK = 30
CLIENT_WINDOW = dt.timedelta(hours=1)
GLOBAL_PER_MINUTE = 120
GLOBAL_WINDOW = dt.timedelta(minutes=1)
PENDING, MEMBER, UNKNOWN = "pending", "member", "unknown"
CLIENT_LIMIT, NETWORK_LIMIT, GLOBAL_LIMIT = "client_limit", "network_limit", "global_limit"
# Rows that were (or are being) answered: refusals do not push the retry time back.
ANSWERED = (PENDING, MEMBER, UNKNOWN)
_GLOBAL_LOCK_KEY = 0x5E5A3E  # any constant shared by every process


@dataclass(frozen=True)
class LookupRefused:
    """No look-up now; the client may try again at ``retry_at`` (UTC)."""

    retry_at: dt.datetime
    everyone: bool  # True: the global pause, not this client's own limit


def serialise(session: Session, client_hash: str) -> None:
    """Hold the lock that makes "count then record" atomic, until the transaction ends.

    Used by every limit counted per client: look-ups here, reset requests in
    ``bot.resets.requests``.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _GLOBAL_LOCK_KEY})
        client_key = int(client_hash[:15], 16)
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": client_key})
    else:
        # A write that changes nothing takes SQLite's write lock (and the latest
        # snapshot) before the counts are read.
        session.execute(update(NirLookup).where(NirLookup.id == -1).values(outcome=NirLookup.outcome))


def reserve_lookup(
    session: Session,
    client_hash: str,
    now: dt.datetime,
    per_minute: int = GLOBAL_PER_MINUTE,
    network_hash: str | None = None,
) -> NirLookup | LookupRefused:
    """A reserved look-up (record its outcome with ``record_outcome``), or why not and until when.

    ``per_minute``: the global pause's threshold (setting ``LOOKUPS_PER_MINUTE``), sized by
    the operator to the traffic expected of real members. ``network_hash``: the client's
    network, limited to ``PER_NETWORK`` an hour (the client is its own network without it).
    """
    serialise(session, client_hash)
    answered = NirLookup.outcome.in_(ANSWERED)
    overall = session.scalar(select(func.count()).where(answered, NirLookup.created_at > now - GLOBAL_WINDOW))
    if (overall or 0) >= per_minute:
        session.add(
            NirLookup(
                created_at=now, client_hash=client_hash, network_hash=network_hash, outcome=GLOBAL_LIMIT
            )
        )
        logger.warning(
            "Recherches par numéro de Sécurité sociale en pause : plus de %d en une minute.",
            per_minute,
        )
        return LookupRefused(retry_at=now + GLOBAL_WINDOW, everyone=True)
    for column, value, limit, outcome in (
        (NirLookup.network_hash, network_hash, PER_NETWORK, NETWORK_LIMIT),
        (NirLookup.client_hash, client_hash, PER_CLIENT, CLIENT_LIMIT),
    ):
        if value is None:
            continue
        recent = session.scalars(
            select(NirLookup.created_at)
            .where(answered, column == value, NirLookup.created_at > now - CLIENT_WINDOW)
            .order_by(NirLookup.created_at)
        ).all()
        if len(recent) >= limit:
            session.add(
                NirLookup(created_at=now, client_hash=client_hash, network_hash=network_hash, outcome=outcome)
            )
            return LookupRefused(retry_at=recent[len(recent) - limit] + CLIENT_WINDOW, everyone=False)
    lookup = NirLookup(created_at=now, client_hash=client_hash, network_hash=network_hash, outcome=PENDING)
    session.add(lookup)
    session.flush()
    return lookup


def record_outcome(lookup: NirLookup, nir_hash: str, found: bool) -> None:
    """Complete the audit row of a reserved look-up."""
    lookup.nir_hash = nir_hash
    lookup.outcome = MEMBER if found else UNKNOWN
