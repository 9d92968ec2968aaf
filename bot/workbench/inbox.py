"""The review inbox: member messages a trainer should look at, redacted again.

A member message (tracker event ``user``) is in the inbox when at least one of:

- ``fallback``: the bot did not understand it (intent ``nlu_fallback``), or its next
  actions are the clarification or fallback ones (« Vouliez-vous dire… », « pouvez-vous
  reformuler », hand-off after two misunderstandings);
- ``low_confidence``: the classifier's confidence was under the threshold (0.6);
- ``handoff``: the bot's next action handed the member to a person
  (``action_request_human``), or it is the last message before a hand-off of its
  conversation (table ``handoffs``);
- ``flagged``: an agent asked trainers to look at its conversation (``review_flags``).

The text shown is the stored text masked again with ``bot.shared.patterns.redact``:
the store is masked when written, this is defence in depth. Two databases are read:
the tracker store (events) and the member database (hand-offs, flags, decisions).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.models import Handoff, ReviewDecision, ReviewFlag
from bot.dialogue.intents import REGISTRY
from bot.shared.patterns import redact
from bot.workbench.tracker import (
    FALLBACK_INTENT,
    TrackerEvent,
    events_of_conversations_active_between,
)

DEFAULT_THRESHOLD = 0.6
DEFAULT_PER_PAGE = 50

FALLBACK = "fallback"
LOW_CONFIDENCE = "low_confidence"
HANDOFF = "handoff"
FLAGGED = "flagged"
REASONS = (FALLBACK, LOW_CONFIDENCE, HANDOFF, FLAGGED)
REASON_LABELS = {
    FALLBACK: "Pas compris",
    LOW_CONFIDENCE: "Confiance faible",
    HANDOFF: "Passage à un conseiller",
    FLAGGED: "Signalé par un conseiller",
}
# The bot's actions after a message it did not understand (data/rules/incomprehension.yml).
FALLBACK_ACTIONS = frozenset(
    {
        "action_two_stage_fallback",
        "action_default_ask_affirmation",
        "action_default_fallback",
        "utter_ask_rephrase",
        "utter_default",
    }
)
HANDOFF_ACTION = "action_request_human"


def intent_label(intent: str | None) -> str:
    """The French label of an intent (intents.yml), or its name when it has none."""
    if not intent:
        return ""
    return REGISTRY.labels.get(intent, intent)


@dataclass(frozen=True)
class InboxItem:
    """One member message of the inbox, as the workbench shows it."""

    id: int  # the tracker event id
    conversation_id: str
    at: dt.datetime
    text: str  # redacted again
    intent: str | None  # the classifier's best real intent (even when it fell to the fallback)
    intent_label: str
    confidence: float | None
    reasons: tuple[str, ...]
    decided: bool
    decision: str | None = None

    @property
    def reason_labels(self) -> tuple[str, ...]:
        return tuple(REASON_LABELS[r] for r in self.reasons)


@dataclass(frozen=True)
class InboxFilters:
    """What the trainer narrows the inbox to; every field optional."""

    since: dt.datetime | dt.date | None = None
    until: dt.datetime | dt.date | None = None  # exclusive
    intent: str | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    reason: str | None = None
    undecided_only: bool = False


@dataclass(frozen=True)
class InboxPage:
    items: tuple[InboxItem, ...]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


def reasons_for(
    message: TrackerEvent,
    next_actions: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    *,
    before_handoff: bool = False,
    flagged: bool = False,
) -> tuple[str, ...]:
    """Why ``message`` is worth a trainer's look (empty: it is not)."""
    found = []
    if message.top_intent == FALLBACK_INTENT or FALLBACK_ACTIONS & set(next_actions):
        found.append(FALLBACK)
    confidence = (message.parse_data.get("intent") or {}).get("confidence")
    if isinstance(confidence, (int, float)) and confidence < threshold:
        found.append(LOW_CONFIDENCE)
    if before_handoff or HANDOFF_ACTION in next_actions:
        found.append(HANDOFF)
    if flagged:
        found.append(FLAGGED)
    return tuple(found)


def _handoff_times(session: Session, conversations: Iterable[str]) -> dict[str, list[dt.datetime]]:
    ids = sorted(set(conversations))
    found: dict[str, list[dt.datetime]] = {}
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(Handoff.conversation_id, Handoff.created_at).where(
                Handoff.conversation_id.in_(ids[start : start + 500])
            )
        )
        for conversation_id, created_at in rows:
            found.setdefault(conversation_id, []).append(created_at)
    return found


def _flagged(session: Session) -> set[str]:
    return set(session.scalars(select(ReviewFlag.conversation_id)))


def _decisions(session: Session) -> dict[tuple[str, int], str]:
    rows = session.execute(
        select(ReviewDecision.conversation_id, ReviewDecision.event_id, ReviewDecision.decision)
    )
    return {(c, e): str(d) for c, e, d in rows}


def item_of(message: TrackerEvent, reasons: tuple[str, ...], decision: str | None = None) -> InboxItem:
    intent, confidence = message.guess()
    return InboxItem(
        id=message.id,
        conversation_id=message.conversation_id,
        at=message.at,
        text=redact(message.text),
        intent=intent,
        intent_label=intent_label(intent),
        confidence=confidence,
        reasons=reasons,
        decided=decision is not None,
        decision=decision,
    )


def collect(
    tracker: Engine,
    session: Session,
    filters: InboxFilters | None = None,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[InboxItem]:
    """Every inbox item matching ``filters``, newest first."""
    filters = filters or InboxFilters()
    events = events_of_conversations_active_between(tracker, filters.since, filters.until)
    by_conversation: dict[str, list[TrackerEvent]] = {}
    for event in events:
        by_conversation.setdefault(event.conversation_id, []).append(event)
    handoffs = _handoff_times(session, by_conversation)
    flagged = _flagged(session)
    decisions = _decisions(session)
    items: list[InboxItem] = []
    for conversation_id, conversation in by_conversation.items():
        messages = [i for i, e in enumerate(conversation) if e.type_name == "user"]
        leading = {_last_message_before(conversation, messages, t) for t in handoffs.get(conversation_id, [])}
        for n, index in enumerate(messages):
            message = conversation[index]
            end = messages[n + 1] if n + 1 < len(messages) else len(conversation)
            next_actions = [e.action or "" for e in conversation[index + 1 : end] if e.type_name == "action"]
            reasons = reasons_for(
                message,
                next_actions,
                threshold,
                before_handoff=index in leading,
                flagged=conversation_id in flagged,
            )
            if not reasons:
                continue
            item = item_of(message, reasons, decisions.get((conversation_id, message.id)))
            if _matches(item, filters):
                items.append(item)
    items.sort(key=lambda i: (i.at, i.id), reverse=True)
    return items


def _last_message_before(
    conversation: Sequence[TrackerEvent], messages: Sequence[int], moment: dt.datetime
) -> int | None:
    before = [i for i in messages if conversation[i].at <= moment]
    return before[-1] if before else None


def _as_datetime(moment: dt.datetime | dt.date) -> dt.datetime:
    if not isinstance(moment, dt.datetime):
        return dt.datetime(moment.year, moment.month, moment.day, tzinfo=dt.timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _matches(item: InboxItem, filters: InboxFilters) -> bool:
    if filters.since is not None and item.at < _as_datetime(filters.since):
        return False
    if filters.until is not None and item.at >= _as_datetime(filters.until):
        return False
    if filters.intent and item.intent != filters.intent:
        return False
    if filters.min_confidence is not None and (item.confidence or 0.0) < filters.min_confidence:
        return False
    if filters.max_confidence is not None and (item.confidence or 0.0) > filters.max_confidence:
        return False
    if filters.reason and filters.reason not in item.reasons:
        return False
    return not (filters.undecided_only and item.decided)


def inbox(
    tracker: Engine,
    session: Session,
    filters: InboxFilters | None = None,
    *,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
    threshold: float = DEFAULT_THRESHOLD,
) -> InboxPage:
    """One page of the inbox (pages count from 1), newest first."""
    per_page = max(1, min(per_page, 500))
    page = max(1, page)
    items = collect(tracker, session, filters, threshold)
    start = (page - 1) * per_page
    return InboxPage(tuple(items[start : start + per_page]), len(items), page, per_page)
