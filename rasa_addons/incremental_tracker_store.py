"""The conversation store reads only the events it has not read yet.

Rasa 3.6's ``SQLTrackerStore`` rebuilds a conversation from scratch on every message:
every event row of the current session loaded through the ORM, JSON-decoded, turned
into an ``Event`` (about 35 µs each) and replayed. At turn 30 of a conversation that is
about 280 events, and the Rasa server's CPU per message grew with the conversation
(issue #24: 36 ms at turn 3, 51 ms at turn 30).

Here each store keeps, per conversation recently seen, the ``Event`` objects read so
far and the id of the last row. Each ``retrieve`` asks the database for the rows after
that id only, and checks with one count that none of the rows read before has gone
(the privacy purge and erasure delete rows; another replica may have written some):

- new rows of the same session are decoded and appended;
- a new session (a ``session_started`` row), a row gone or one more than expected:
  the conversation is read again in full, as Rasa reads it;
- the tracker handed out is replayed from shallow copies of the kept events, so that
  a turn changing an event's attributes never changes what is kept.

The session is the one Rasa picks: the rows whose timestamp is not before the latest
``session_started`` row's (all rows when there is none). The database stays the one
truth; a replica never answers from an outdated copy. At most ``MAX_KEPT_EVENTS`` events
are kept per store; the conversations seen least recently are forgotten first.

Saving writes the same rows as Rasa, with one plain statement instead of the ORM's unit
of work: the number of events already stored is counted by the query Rasa builds with
the ORM (events of the latest session, by timestamp), written once as SQL, and the new
rows go in with one ``INSERT`` of several rows.

``rasa_addons/tests/test_incremental_tracker_store.py`` compares every retrieval and
every stored row with Rasa's own. Installed by ``rasa_addons.speedups`` on the Rasa
version it was written for.
"""

from __future__ import annotations

import copy
import itertools
import json
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted, deserialise_events
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from rasa_addons.redacting_tracker_store import RedactingSQLTrackerStore

MAX_KEPT_EVENTS = 50_000
_ORIGINAL_RETRIEVE = RedactingSQLTrackerStore._retrieve
_ORIGINAL_SAVE = RedactingSQLTrackerStore.save
_ORIGINAL_ADDITIONAL = SQLTrackerStore._additional_events
# Rasa's SQLTrackerStore._event_query(…).count(): the events of the latest session.
_STORED_IN_SESSION = sa.text(
    "SELECT count(*) FROM events WHERE sender_id = :sender AND ("
    "timestamp >= (SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = :started)"
    " OR (SELECT max(timestamp) FROM events WHERE sender_id = :sender AND type_name = :started) IS NULL)"
)
_KEPT = "_sesame_kept_conversations"


@dataclass
class Kept:
    """What was read of one conversation: every row up to ``last_id``, the session's events."""

    last_id: int = 0
    rows: int = 0  # rows of the conversation with an id up to last_id, every session
    session_start: float | None = None  # the latest session_started row's timestamp
    events: list[Event] = field(default_factory=list)


def _in_session(timestamp: float | None, session_start: float | None) -> bool:
    """Rasa's filter: ``timestamp >= session start``, or every row without a session start."""
    return session_start is None or (timestamp is not None and timestamp >= session_start)


def _rows_after(session: Any, table: sa.Table, sender_id: str, last_id: int) -> list[Any]:
    query = (
        sa.select(table.c.id, table.c.timestamp, table.c.type_name, table.c.data)
        .where(table.c.sender_id == sender_id, table.c.id > last_id)
        .order_by(table.c.id)
    )
    return list(session.execute(query))


def _rows_up_to(session: Any, table: sa.Table, sender_id: str, last_id: int) -> int:
    query = sa.select(sa.func.count()).where(table.c.sender_id == sender_id, table.c.id <= last_id)
    return int(session.execute(query).scalar_one())


def _decode(rows: list[Any]) -> list[Event]:
    events: list[Event] = deserialise_events([json.loads(row.data) for row in rows])
    return events


def read_in_full(session: Any, table: sa.Table, sender_id: str) -> Kept:
    """Every row of the conversation; the events of its latest session decoded."""
    rows = _rows_after(session, table, sender_id, 0)
    # Rasa's max() of the session starts' timestamps: NULL (so every row) when none is dated.
    starts = [row.timestamp for row in rows if row.type_name == SessionStarted.type_name]
    start = max((s for s in starts if s is not None), default=None)
    in_session = [row for row in rows if _in_session(row.timestamp, start)]
    return Kept(rows[-1].id if rows else 0, len(rows), start, _decode(in_session))


def read_new(session: Any, table: sa.Table, sender_id: str, kept: Kept) -> Kept | None:
    """``kept`` brought up to date with the rows written since; None when it must be read again."""
    rows = _rows_after(session, table, sender_id, kept.last_id)
    if any(row.type_name == SessionStarted.type_name for row in rows):
        return None
    if _rows_up_to(session, table, sender_id, kept.last_id) != kept.rows:
        return None
    if rows:
        in_session = [row for row in rows if _in_session(row.timestamp, kept.session_start)]
        kept.events.extend(_decode(in_session))
        kept.last_id, kept.rows = rows[-1].id, kept.rows + len(rows)
    return kept


def _kept_conversations(store: SQLTrackerStore) -> OrderedDict[str, Kept]:
    kept: OrderedDict[str, Kept] | None = store.__dict__.get(_KEPT)
    if kept is None:
        kept = store.__dict__[_KEPT] = OrderedDict()
    return kept


def _remember(store: SQLTrackerStore, sender_id: str, kept: Kept) -> None:
    conversations = _kept_conversations(store)
    conversations[sender_id] = kept
    conversations.move_to_end(sender_id)
    total = sum(len(k.events) for k in conversations.values())
    while total > MAX_KEPT_EVENTS and len(conversations) > 1:
        _, forgotten = conversations.popitem(last=False)
        total -= len(forgotten.events)


async def _retrieve(
    self: SQLTrackerStore, sender_id: str, fetch_events_from_all_sessions: bool
) -> DialogueStateTracker | None:
    if fetch_events_from_all_sessions:  # the HTTP API's full history: rare, read as Rasa does
        return await _ORIGINAL_RETRIEVE(self, sender_id, fetch_events_from_all_sessions)
    table = self.SQLEvent.__table__
    conversations = _kept_conversations(self)
    with self.session_scope() as session:
        kept = conversations.get(sender_id)
        fresh = read_new(session, table, sender_id, kept) if kept is not None else None
        if fresh is None:
            fresh = read_in_full(session, table, sender_id)
    _remember(self, sender_id, fresh)
    if not self.domain or not fresh.events:
        return None
    return DialogueStateTracker.from_events(
        sender_id, [copy.copy(event) for event in fresh.events], self.domain.slots
    )


def _additional_events(self: SQLTrackerStore, session: Any, tracker: DialogueStateTracker) -> Iterator[Event]:
    """Rasa's: the tracker's events after those the latest session already has in the database."""
    parameters = {"sender": tracker.sender_id, "started": SessionStarted.type_name}
    stored = int(session.execute(_STORED_IN_SESSION, parameters).scalar_one())
    return itertools.islice(tracker.events, stored, len(tracker.events))


def row_of(sender_id: str, event: Event) -> dict[str, Any]:
    """The row Rasa's ``SQLTrackerStore.save`` writes for ``event``."""
    data = event.as_dict()
    return {
        "sender_id": sender_id,
        "type_name": event.type_name,
        "timestamp": data.get("timestamp"),
        "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
        "action_name": data.get("name"),
        "data": json.dumps(data),
    }


async def _save(self: SQLTrackerStore, tracker: DialogueStateTracker) -> None:
    await self.stream_events(tracker)
    with self.session_scope() as session:
        rows = [row_of(tracker.sender_id, event) for event in self._additional_events(session, tracker)]
        if rows:
            session.execute(self.SQLEvent.__table__.insert(), rows)
        session.commit()


# (class, attribute, Rasa's, ours)
PATCHES = (
    (RedactingSQLTrackerStore, "_retrieve", _ORIGINAL_RETRIEVE, _retrieve),
    (RedactingSQLTrackerStore, "save", _ORIGINAL_SAVE, _save),
    (SQLTrackerStore, "_additional_events", _ORIGINAL_ADDITIONAL, _additional_events),
)


def install() -> None:
    for owner, name, _, ours in PATCHES:
        setattr(owner, name, ours)


def uninstall() -> None:
    """Rasa's own full read and save (used by the tests); what was kept is no longer used."""
    for owner, name, rasa_own, _ in PATCHES:
        setattr(owner, name, rasa_own)
