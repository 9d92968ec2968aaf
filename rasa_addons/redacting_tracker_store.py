"""An SQL tracker store that never writes a NIR or an access code in clear.

Rasa saves the events of a conversation after each turn; this store hands it
redacted copies instead (see ``bot.redaction``). The turn itself still sees the raw
message, so actions can verify a NIR before it is masked in storage.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event
from rasa.shared.core.trackers import DialogueStateTracker

from bot.redaction import redact_event


class RedactingSQLTrackerStore(SQLTrackerStore):
    """``SQLTrackerStore`` whose stored events have their secrets masked."""

    def _additional_events(self, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
        for event in super()._additional_events(session, tracker):
            yield Event.from_parameters(redact_event(event.as_dict()))
