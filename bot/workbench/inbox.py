"""The review inbox: member messages a trainer should look at, redacted again.

A member message (tracker event ``user``) is in the inbox when at least one of:

- ``fallback``: the bot did not understand it (intent ``nlu_fallback``), or its next
  actions are the clarification or fallback ones (« Vouliez-vous dire… », « pouvez-vous
  reformuler », hand-off after two misunderstandings);
- ``low_confidence``: the classifier's confidence was under the threshold (0.6);
- ``handoff``: the bot's next action handed the member to a person
  (``action_request_human``), or it is the last message before a hand-off of its
  conversation (table ``handoffs``);
- ``flagged``: an agent asked trainers to look at its conversation (``review_flags``);

and, for the confident mistakes nobody would see otherwise, when the bot answered it as
a question (``bot.workbench.followups`` reads the member's next message):

- ``rephrased``: the member's next message asks the same thing in other words;
- ``denied``: the next message says the answer was wrong (« non ce n'est pas ça »);
- ``agent_after``: the next message asks for an agent;
- ``not_helpful``: the member answered « Non » to the widget's « Cette réponse vous a
  aidé ? » (``answer_feedback``);
- ``spot_check``: none of the above, a confident answer drawn at random (a few per
  cent, ``INBOX_SPOT_CHECK_PERCENT``), for trainers to check what nobody complained about.

The listed message is the one the bot answered, never the denial that follows it.

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

from bot.db.models import AnswerFeedback, Handoff, ReviewDecision, ReviewFlag
from bot.dialogue.intents import REGISTRY
from bot.shared.patterns import redact
from bot.workbench import followups
from bot.workbench.tracker import (
    FALLBACK_INTENT,
    TrackerEvent,
    events_of_conversations_active_between,
    is_automatic,
)

DEFAULT_THRESHOLD = 0.6
DEFAULT_PER_PAGE = 50

FALLBACK = "fallback"
LOW_CONFIDENCE = "low_confidence"
HANDOFF = "handoff"
FLAGGED = "flagged"
REPHRASED = "rephrased"
DENIED = "denied"
AGENT_AFTER = "agent_after"
NOT_HELPFUL = "not_helpful"
SPOT_CHECK = "spot_check"
REASONS = (
    FALLBACK,
    LOW_CONFIDENCE,
    HANDOFF,
    FLAGGED,
    REPHRASED,
    DENIED,
    AGENT_AFTER,
    NOT_HELPFUL,
    SPOT_CHECK,
)
REASON_LABELS = {
    FALLBACK: "Pas compris",
    LOW_CONFIDENCE: "Confiance faible",
    HANDOFF: "Passage à un conseiller",
    FLAGGED: "Signalé par un conseiller",
    REPHRASED: "Question reformulée ensuite",
    DENIED: "Réponse contestée",
    AGENT_AFTER: "Conseiller demandé ensuite",
    NOT_HELPFUL: "Réponse jugée inutile",
    SPOT_CHECK: "Contrôle au hasard",
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
    follow_up: str | None = None  # the member's next message, redacted again

    @property
    def reason_labels(self) -> tuple[str, ...]:
        return tuple(REASON_LABELS[r] for r in self.reasons)

    @property
    def explanations(self) -> tuple[str, ...]:
        """Why the message is here, one French sentence per reason."""
        return tuple(explanation(r, self.follow_up) for r in self.reasons)


def explanation(reason: str, follow_up: str | None = None) -> str:
    """The sentence that tells a trainer why a message is in the inbox."""
    said = f" : « {follow_up} »" if follow_up and not followups.is_payload(follow_up) else "."
    return {
        FALLBACK: "Sésame n'a pas compris ce message.",
        LOW_CONFIDENCE: f"Sésame a hésité : confiance sous {round(DEFAULT_THRESHOLD * 100)} %.",
        HANDOFF: "Ce message a mené à un conseiller.",
        FLAGGED: "Un conseiller a signalé cette conversation.",
        REPHRASED: f"L'adhérent a reposé sa question autrement juste après{said}",
        DENIED: f"L'adhérent a contesté la réponse{said}",
        AGENT_AFTER: f"L'adhérent a demandé un conseiller juste après la réponse{said}",
        NOT_HELPFUL: "L'adhérent a répondu « Non » à « Cette réponse vous a aidé ? ».",
        SPOT_CHECK: "Réponse sûre tirée au hasard, pour vérifier ce dont personne ne s'est plaint.",
    }[reason]


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
    after: Sequence[str] = (),
) -> tuple[str, ...]:
    """Why ``message`` is worth a trainer's look (empty: it is not).

    ``after``: what the member's next message says about the answer (``follow_up_reasons``).
    """
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
    found.extend(after)
    return tuple(found)


@dataclass(frozen=True)
class Turn:
    """One member message, what the bot did after it, and the member's next message."""

    message: TrackerEvent
    following: Sequence[TrackerEvent]  # the events up to the next member message
    next_message: TrackerEvent | None
    next_following: Sequence[TrackerEvent] = ()

    @property
    def next_actions(self) -> list[str]:
        return [e.action or "" for e in self.following if e.type_name == "action"]

    @property
    def bot_asked(self) -> bool:
        """True when the bot's last words before the next message were a question, or a form is asking."""
        said = [e.text for e in self.following if e.type_name == "bot" and e.text.strip()]
        asking = any(e.type_name == "active_loop" and e.data.get("name") for e in self.following)
        return asking or bool(said and said[-1].rstrip().endswith("?"))


def follow_up_reasons(turn: Turn, rated_unhelpful: bool = False) -> tuple[str, ...]:
    """What the member did after the bot answered ``turn.message``: rephrased, denied, asked for an agent."""
    if not followups.is_question(turn.message.top_intent):
        return (NOT_HELPFUL,) if rated_unhelpful else ()
    found = []
    following = turn.next_message
    if following is not None:
        if followups.is_rephrasing(turn.message.text, following.text):
            found.append(REPHRASED)
        if followups.is_denial(following.text, turn.bot_asked):
            found.append(DENIED)
        next_actions = [e.action or "" for e in turn.next_following if e.type_name == "action"]
        if followups.asks_for_agent(following.top_intent, next_actions, HANDOFF_ACTION):
            found.append(AGENT_AFTER)
    if rated_unhelpful:
        found.append(NOT_HELPFUL)
    return tuple(found)


def spot_check(message: TrackerEvent, threshold: float, percent: float) -> bool:
    """True for the few confident answers to real questions drawn for a check."""
    confidence = (message.parse_data.get("intent") or {}).get("confidence")
    confident = isinstance(confidence, (int, float)) and confidence >= threshold
    return (
        confident
        and followups.is_question(message.top_intent)
        and followups.spot_checked(message.conversation_id, message.id, percent)
    )


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


def _unhelpful(session: Session, conversations: Iterable[str]) -> set[tuple[str, int]]:
    """The messages whose answer the member said did not help (« Non » in the widget)."""
    ids = sorted(set(conversations))
    found: set[tuple[str, int]] = set()
    for start in range(0, len(ids), 500):
        rows = session.execute(
            select(AnswerFeedback.conversation_id, AnswerFeedback.event_id).where(
                AnswerFeedback.conversation_id.in_(ids[start : start + 500]),
                AnswerFeedback.helpful.is_(False),
            )
        )
        found.update((c, e) for c, e in rows)
    return found


def _decisions(session: Session) -> dict[tuple[str, int], str]:
    rows = session.execute(
        select(ReviewDecision.conversation_id, ReviewDecision.event_id, ReviewDecision.decision)
    )
    return {(c, e): str(d) for c, e, d in rows}


def item_of(
    message: TrackerEvent,
    reasons: tuple[str, ...],
    decision: str | None = None,
    follow_up: TrackerEvent | None = None,
) -> InboxItem:
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
        follow_up=redact(follow_up.text) if follow_up is not None else None,
    )


def collect(
    tracker: Engine,
    session: Session,
    filters: InboxFilters | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    spot_check_percent: float = 0.0,
) -> list[InboxItem]:
    """Every inbox item matching ``filters``, newest first (``spot_check_percent``: 0 draws none)."""
    filters = filters or InboxFilters()
    events = events_of_conversations_active_between(
        tracker, filters.since, filters.until, types=("user", "action", "bot", "active_loop")
    )
    by_conversation: dict[str, list[TrackerEvent]] = {}
    for event in events:
        by_conversation.setdefault(event.conversation_id, []).append(event)
    handoffs = _handoff_times(session, by_conversation)
    flagged = _flagged(session)
    unhelpful = _unhelpful(session, by_conversation)
    decisions = _decisions(session)
    items: list[InboxItem] = []
    for conversation_id, conversation in by_conversation.items():
        messages = [i for i, e in enumerate(conversation) if e.type_name == "user" and not is_automatic(e)]
        leading = {_last_message_before(conversation, messages, t) for t in handoffs.get(conversation_id, [])}
        for n, index in enumerate(messages):
            turn = _turn(conversation, messages, n)
            message = turn.message
            after = follow_up_reasons(turn, (conversation_id, message.id) in unhelpful)
            reasons = reasons_for(
                message,
                turn.next_actions,
                threshold,
                before_handoff=index in leading,
                flagged=conversation_id in flagged,
                after=after,
            )
            if not reasons and spot_check(message, threshold, spot_check_percent):
                reasons = (SPOT_CHECK,)
            if not reasons:
                continue
            shown_next = turn.next_message if {REPHRASED, DENIED, AGENT_AFTER} & set(after) else None
            item = item_of(message, reasons, decisions.get((conversation_id, message.id)), shown_next)
            if _matches(item, filters):
                items.append(item)
    items.sort(key=lambda i: (i.at, i.id), reverse=True)
    return items


def _turn(conversation: Sequence[TrackerEvent], messages: Sequence[int], n: int) -> Turn:
    """The ``n``-th member message of the conversation, what followed it, and the next one."""
    index = messages[n]
    end = messages[n + 1] if n + 1 < len(messages) else len(conversation)
    if n + 1 >= len(messages):
        return Turn(conversation[index], conversation[index + 1 : end], None)
    after_next = messages[n + 2] if n + 2 < len(messages) else len(conversation)
    return Turn(
        conversation[index],
        conversation[index + 1 : end],
        conversation[end],
        conversation[end + 1 : after_next],
    )


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
    spot_check_percent: float = 0.0,
) -> InboxPage:
    """One page of the inbox (pages count from 1), newest first."""
    per_page = max(1, min(per_page, 500))
    page = max(1, page)
    items = collect(tracker, session, filters, threshold, spot_check_percent)
    start = (page - 1) * per_page
    return InboxPage(tuple(items[start : start + per_page]), len(items), page, per_page)
