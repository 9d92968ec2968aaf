"""The purge that runs by itself: once an hour, inside the mail worker's loop.

The mail worker is the one long-running process that already works on the member
database in the background (``./sesame mail worker``, one per deployment); it reads
every setting, ``TRACKER_STORE_URL`` included. Rather than a new process or a cron
job to install, ``bot.cli.mail`` hands it ``PurgeSchedule.tick`` to call after each
pass; ``tick`` purges when an hour has gone by since the last purge.

Several workers (replicas, a rolling update) do not purge at once: on PostgreSQL the
purge holds a session-level advisory lock and a worker that cannot take it skips
its turn. On SQLite (one machine, one worker) no lock is needed; the deletes are
idempotent anyway (``bot.privacy.purge``).

A purge that deleted something is audited (``privacy_purge``, actor ``sesame:purge``,
counts per table); an empty one is not, so that the log does not fill with nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, text

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.db.models import utcnow
from bot.privacy.purge import PurgeReport, purge
from bot.privacy.retention import RetentionPolicy

logger = logging.getLogger(__name__)

INTERVAL = dt.timedelta(hours=1)
ACTOR = "sesame:purge"
# pg_try_advisory_lock's key: any constant that no other lock of Sésame uses.
_LOCK_KEY = 0x5E5A_0D0C


@contextmanager
def purge_lock(engine: Engine) -> Iterator[bool]:
    """True if this process may purge now (PostgreSQL: it holds the advisory lock until the block ends)."""
    if engine.dialect.name != "postgresql":
        yield True
        return
    with engine.connect() as connection:
        taken = bool(connection.scalar(text("SELECT pg_try_advisory_lock(:key)"), {"key": _LOCK_KEY}))
        connection.commit()
        try:
            yield taken
        finally:
            if taken:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": _LOCK_KEY})
                connection.commit()


def record_purge(engine: Engine, actor: str, report: PurgeReport) -> None:
    """The purge in the agents' audit log: who, dry run or not, how many rows of each table."""
    # Any: the table names never collide with record's own keywords (nir_hash, now).
    detail: dict[str, Any] = {"essai": report.dry_run, "total": report.total}
    detail.update((table, count) for table, count in report.counts().items() if count)
    with session_scope(engine) as session:
        audit.record(session, actor, AgentAction.PRIVACY_PURGE, **detail)


class PurgeSchedule:
    """Purge every ``interval`` (the first time at the first tick); never raises."""

    def __init__(
        self,
        engine: Engine,
        tracker: Engine | None,
        policy: RetentionPolicy,
        interval: dt.timedelta = INTERVAL,
    ) -> None:
        self.engine = engine
        self.tracker = tracker
        self.policy = policy
        self.interval = interval
        self.last_run: dt.datetime | None = None

    def tick(self, now: dt.datetime | None = None) -> PurgeReport | None:
        """Purge if the interval has passed; the report, or None when not due, skipped or failed."""
        now = now or utcnow()
        if self.last_run is not None and now - self.last_run < self.interval:
            return None
        self.last_run = now
        try:
            with purge_lock(self.engine) as taken:
                if not taken:
                    logger.info("Purge de conservation déjà en cours ailleurs : tour sauté.")
                    return None
                report = purge(self.engine, self.tracker, self.policy, now=now)
                if report.total:
                    record_purge(self.engine, ACTOR, report)
        except Exception as exc:
            # The type only: database errors may quote the parameters of the statement.
            logger.error(
                "Purge de conservation interrompue (%s) ; nouvel essai dans une heure.", type(exc).__name__
            )
            return None
        if report.total:
            logger.info("Purge de conservation : %d enregistrement(s) effacé(s).", report.total)
        return report
