"""An SQL tracker store that never writes a NIR or an access code in clear.

Rasa saves the events of a conversation after each turn; this store hands it
redacted copies instead (see ``bot.shared.redaction``). The turn itself still sees the raw
message, so actions can verify a NIR before it is masked in storage.

On SQLite (the default of ``make run``) the database is put in write-ahead-log mode:
a turn's commit syncs the disk once instead of several times (0.67 → 0.18 ms per
commit on this machine), with the same durability. PostgreSQL, the production
store, is left as configured.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.shared.redaction import redact_event


class RedactingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose stored events have their secrets masked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as connection:  # the mode stays with the database file
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            data = event.as_dict()
            redacted = redact_event(data)
            # Most events hold no secret: store them as they are, without a rebuild.
            yield event if redacted == data else Event.from_parameters(redacted)
