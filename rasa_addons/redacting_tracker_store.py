"""An SQL tracker store that never writes a NIR or an access code in clear.

Rasa saves the events of a conversation after each turn; this store hands it
redacted copies instead (see ``bot.shared.redaction``). The turn itself still sees the raw
message, so actions can verify a NIR before it is masked in storage.

While the bot is asking for the NIR, the member's next message is stored masked
whole (``bot.shared.redaction.SecretContext``), so a number split over two
messages leaves no fragment. Only the events not yet stored are written each
turn; the state they start from is replayed from the tracker's earlier events
(only the few kinds that matter: slots, loops, bot utterances, restarts).

On SQLite (the default of ``make run``) the database is put in write-ahead-log mode:
a turn's commit syncs the disk once instead of several times (0.67 → 0.18 ms per
commit on this machine), with the same durability. PostgreSQL, the production
store, is left as configured.

A PostgreSQL store that does not answer at start stops the server with a French error
after a few tries (``check_reachable``); Rasa's own would wait for ever, silently.
At run time, failures are raised and logged loudly (``rasa_addons.turn_guard``).
"""

from __future__ import annotations

import itertools
import logging
import time
from collections.abc import Iterator
from typing import Any

import sqlalchemy
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker
from sqlalchemy.pool import NullPool

from bot.shared.redaction import SecretContext, redact_events

logger = logging.getLogger(__name__)
# At start, how often and how far apart the conversation store is tried before giving up.
STARTUP_ATTEMPTS = 5
STARTUP_WAIT_SECONDS = 2.0
# The kinds of events SecretContext looks at; others are not converted to replay it.
_CONTEXT_EVENTS = frozenset({"restart", "session_started", "active_loop", "slot", "reset_slots", "bot"})


def secret_context(events: Iterator[Event]) -> SecretContext:
    """The state ``events`` (a conversation's stored events, in order) leave behind."""
    context = SecretContext()
    for event in events:
        if event.type_name in _CONTEXT_EVENTS:
            context.update(event.as_dict())
    return context


class TrackerStoreUnreachable(RuntimeError):
    """The conversation store does not answer at start: Rasa must not start without it."""


def check_reachable(url: str, attempts: int = STARTUP_ATTEMPTS, wait: float = STARTUP_WAIT_SECONDS) -> None:
    """Return once the database of ``url`` answers; ``TrackerStoreUnreachable`` after ``attempts``.

    Rasa's own store retries for ever, every 5 s, without saying so: a replica would look
    started and hang. Here a few tries, then an error that stops the server, in French.
    """
    engine = sqlalchemy.create_engine(url, poolclass=NullPool)
    try:
        for attempt in range(1, attempts + 1):
            try:
                with engine.connect():
                    return
            except sqlalchemy.exc.OperationalError as error:
                logger.warning(
                    "conversation store unreachable (try %d of %d): %s",
                    attempt,
                    attempts,
                    type(error).__name__,
                )
                if attempt < attempts:
                    time.sleep(wait)
    finally:
        engine.dispose()
    shown = engine.url.render_as_string(hide_password=True)
    raise TrackerStoreUnreachable(
        f"Base des conversations injoignable ({shown}) après {attempts} essais : le serveur Rasa ne "
        "démarre pas sans elle (jamais de conversations gardées en mémoire seulement)."
    )


class RedactingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose stored events have their secrets masked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        url = kwargs.get("host")
        if isinstance(url, str) and "://" in url and not url.startswith("sqlite"):
            check_reachable(url)
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:  # the mode stays with the database file
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        new_events = list(super()._additional_events(session, tracker))
        stored = len(tracker.events) - len(new_events)
        context = secret_context(itertools.islice(tracker.events, 0, stored))
        originals = [event.as_dict() for event in new_events]
        for event, data, redacted in zip(
            new_events, originals, redact_events(originals, context), strict=True
        ):
            # Most events hold no secret: store them as they are, without a rebuild.
            yield event if redacted == data else Event.from_parameters(redacted)
