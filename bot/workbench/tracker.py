"""Reading Rasa's conversation store (``TRACKER_STORE_URL``) without Rasa.

Rasa's ``SQLTrackerStore`` keeps one row per event in the table ``events``: the
conversation (``sender_id``), the event's type (``user``, ``action``, ``slot``,
``active_loop``…), its time (seconds since the epoch), the intent or action name,
and the whole event as JSON (``data``). The rows are already masked by
``rasa_addons/redacting_tracker_store.py``; this module only reads them. The table
is declared here as Rasa 3.6 creates it (``rasa.core.tracker_store.SQLTrackerStore.SQLEvent``),
so that tests can create a fixture store with ``create_tracker_table``.

Trainers name a conversation by its reference (``bot.rules.conversation_refs``),
never by ``sender_id``, the member's chat credential: ``event_of_conversation`` and
``conversation_named`` find what a reference names.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, Text, select

from bot.rules.conversation_refs import ConversationRefs, normalize_reference
from bot.shared.user_input import AUTOMATIC_FLAG

METADATA = MetaData()
EVENTS = Table(
    "events",
    METADATA,
    Column("id", Integer, primary_key=True),
    Column("sender_id", String(255), nullable=False, index=True),
    Column("type_name", String(255), nullable=False),
    Column("timestamp", Float),
    Column("intent_name", String(255)),
    Column("action_name", String(255)),
    Column("data", Text),
)

FALLBACK_INTENT = "nlu_fallback"


def tracker_engine_url(url: str) -> str:
    """``TRACKER_STORE_URL`` for env B, which has psycopg 3 only.

    Rasa's ``postgresql://`` and ``postgresql+psycopg2://`` (deploy/) name psycopg 2.
    """
    return re.sub(r"^postgres(?:ql)?(?:\+psycopg2)?://", "postgresql+psycopg://", url)


def create_tracker_table(engine: Engine) -> None:
    """Create ``events`` as Rasa would (tests, and a store Rasa has not written to yet)."""
    METADATA.create_all(engine)


def to_datetime(timestamp: float | None) -> dt.datetime:
    return dt.datetime.fromtimestamp(timestamp or 0.0, tz=dt.timezone.utc)


def to_timestamp(moment: dt.datetime | dt.date) -> float:
    """A date is its midnight UTC."""
    if not isinstance(moment, dt.datetime):
        moment = dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


@dataclass(frozen=True)
class TrackerEvent:
    """One row of ``events``, its JSON decoded."""

    id: int
    conversation_id: str
    type_name: str
    at: dt.datetime
    intent: str | None
    action: str | None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(self.data.get("text") or "")

    @property
    def parse_data(self) -> dict[str, Any]:
        parsed = self.data.get("parse_data")
        return parsed if isinstance(parsed, dict) else {}

    @property
    def entities(self) -> list[dict[str, Any]]:
        return [e for e in self.parse_data.get("entities") or [] if isinstance(e, dict)]

    def guess(self) -> tuple[str | None, float | None]:
        """The classifier's best real intent and its confidence.

        When the message fell to the fallback, ``intent`` is ``nlu_fallback``; the
        ranking still holds what the classifier thought, which a trainer may accept.
        """
        parsed = self.parse_data
        for entry in parsed.get("intent_ranking") or []:
            if isinstance(entry, dict) and entry.get("name") and entry.get("name") != FALLBACK_INTENT:
                return str(entry["name"]), _confidence(entry)
        intent = parsed.get("intent") or {}
        name = intent.get("name") if isinstance(intent, dict) else None
        if name and name != FALLBACK_INTENT:
            return str(name), _confidence(intent)
        return None, _confidence(intent) if isinstance(intent, dict) else None

    @property
    def top_intent(self) -> str | None:
        """The intent the bot acted on (``nlu_fallback`` when it did not understand)."""
        intent = self.parse_data.get("intent") or {}
        return (intent.get("name") if isinstance(intent, dict) else None) or self.intent


def is_automatic(event: TrackerEvent) -> bool:
    """The widget's greeting on opening (« Bonjour »), which the member never typed.

    The web tier marks it (``metadata.automatique``, believed by Rasa's channel from the
    signed web tier only); the statistics, the test stories and the inbox leave it out:
    it says nothing of what members ask.
    """
    metadata = event.data.get("metadata")
    return event.type_name == "user" and isinstance(metadata, dict) and metadata.get(AUTOMATIC_FLAG) is True


def _confidence(entry: dict[str, Any]) -> float | None:
    value = entry.get("confidence")
    return float(value) if isinstance(value, (int, float)) else None


def _event(row: Any) -> TrackerEvent:
    try:
        data = json.loads(row.data) if row.data else {}
    except ValueError:
        data = {}
    return TrackerEvent(
        id=row.id,
        conversation_id=row.sender_id,
        type_name=row.type_name,
        at=to_datetime(row.timestamp),
        intent=row.intent_name,
        action=row.action_name,
        data=data if isinstance(data, dict) else {},
    )


def conversation_events(
    engine: Engine, conversation_id: str, types: Sequence[str] | None = None
) -> list[TrackerEvent]:
    """Every event of one conversation, oldest first (only ``types`` if given)."""
    query = select(EVENTS).where(EVENTS.c.sender_id == conversation_id)
    if types:
        query = query.where(EVENTS.c.type_name.in_(list(types)))
    with engine.connect() as connection:
        return [_event(row) for row in connection.execute(query.order_by(EVENTS.c.id))]


def last_events(engine: Engine, conversation_id: str, types: Sequence[str], count: int) -> list[TrackerEvent]:
    """The conversation's last ``count`` events of ``types``, oldest first (the end of a conversation)."""
    query = (
        select(EVENTS)
        .where(EVENTS.c.sender_id == conversation_id, EVENTS.c.type_name.in_(list(types)))
        .order_by(EVENTS.c.id.desc())
        .limit(count)
    )
    with engine.connect() as connection:
        return [_event(row) for row in reversed(connection.execute(query).all())]


def event(engine: Engine, conversation_id: str, event_id: int) -> TrackerEvent | None:
    query = select(EVENTS).where(EVENTS.c.id == event_id, EVENTS.c.sender_id == conversation_id)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    return _event(row) if row is not None else None


def event_of_conversation(
    engine: Engine, refs: ConversationRefs, reference: str, event_id: int
) -> TrackerEvent | None:
    """The event ``event_id`` if it belongs to the conversation of ``reference``, else None."""
    query = select(EVENTS).where(EVENTS.c.id == event_id)
    with engine.connect() as connection:
        row = connection.execute(query).first()
    if row is None or not refs.matches(row.sender_id, reference):
        return None
    return _event(row)


def conversation_named(engine: Engine, refs: ConversationRefs, reference: str) -> str | None:
    """The id of the stored conversation whose reference this is, or None (none, or not a reference).

    References cannot be reversed: every stored conversation's reference is computed
    and compared (one HMAC each, a second for a million conversations).
    """
    wanted = normalize_reference(reference)
    if wanted is None:
        return None
    with engine.connect() as connection:
        for (conversation_id,) in connection.execute(select(EVENTS.c.sender_id).distinct()):
            if refs.of(conversation_id) == wanted:
                return str(conversation_id)
    return None


def events_of_conversations_active_between(
    engine: Engine,
    since: dt.datetime | dt.date | None = None,
    until: dt.datetime | dt.date | None = None,
    types: Iterable[str] = ("user", "action"),
) -> list[TrackerEvent]:
    """Events of every conversation with a member message in [since, until), by conversation then id."""
    users = select(EVENTS.c.sender_id).where(EVENTS.c.type_name == "user")
    if since is not None:
        users = users.where(EVENTS.c.timestamp >= to_timestamp(since))
    if until is not None:
        users = users.where(EVENTS.c.timestamp < to_timestamp(until))
    query = (
        select(EVENTS)
        .where(EVENTS.c.sender_id.in_(users.distinct()), EVENTS.c.type_name.in_(list(types)))
        .order_by(EVENTS.c.sender_id, EVENTS.c.id)
    )
    with engine.connect() as connection:
        return [_event(row) for row in connection.execute(query)]
