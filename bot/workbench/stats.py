"""The workbench's figures per day: fallback rate, top intents, hand-off rate, resets completed.

Days are Paris days. A member message is one the member typed (or a button chosen): the
widget's greeting on opening (``bot.workbench.tracker.is_automatic``) is not counted, nor
is a conversation with nothing else. A member message fell to the fallback as in the inbox
(``bot.workbench.inbox``: intent ``nlu_fallback``, or the clarification and fallback
actions next). A conversation is counted on each day it has a member message; it
had a hand-off when one was opened for it that day. Resets completed: reset emails
sent, reset letters queued, and access codes changed on the reset page
(``audit_events`` of kind ``access_code_changed``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.db.enums import AuditKind, EmailStatus
from bot.db.models import AuditEvent, Handoff, OutgoingEmail, PostalLetter
from bot.rules.french_time import PARIS
from bot.workbench.inbox import FALLBACK, reasons_for
from bot.workbench.tracker import TrackerEvent, events_of_conversations_active_between, is_automatic

TOP = 3


@dataclass
class DayStats:
    day: dt.date
    messages: int = 0
    fallbacks: int = 0
    conversations: int = 0
    handoff_conversations: int = 0
    emails_sent: int = 0
    letters: int = 0
    codes_changed: int = 0
    intents: Counter[str] = field(default_factory=Counter)

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.messages if self.messages else 0.0

    @property
    def handoff_rate(self) -> float:
        return self.handoff_conversations / self.conversations if self.conversations else 0.0

    @property
    def resets_completed(self) -> int:
        return self.emails_sent + self.letters

    @property
    def top_intents(self) -> list[tuple[str, int]]:
        return self.intents.most_common(TOP)


def paris_day(moment: dt.datetime) -> dt.date:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(PARIS).date()


def _start(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=PARIS)


def daily_stats(
    tracker: Engine, session: Session, since: dt.date, until: dt.date | None = None
) -> list[DayStats]:
    """One ``DayStats`` per day from ``since`` to ``until`` (inclusive; today by default), oldest first."""
    until = until or dt.datetime.now(PARIS).date()
    days = {
        since + dt.timedelta(days=n): DayStats(since + dt.timedelta(days=n))
        for n in range((until - since).days + 1)
    }
    start, end = _start(since), _start(until + dt.timedelta(days=1))

    def of(moment: dt.datetime | None) -> DayStats | None:
        return days.get(paris_day(moment)) if moment is not None else None

    by_conversation: dict[str, list[TrackerEvent]] = {}
    for event in events_of_conversations_active_between(tracker, start, end):
        by_conversation.setdefault(event.conversation_id, []).append(event)
    talked: set[tuple[str, dt.date]] = set()
    for conversation_id, events in by_conversation.items():
        for index, event in enumerate(events):
            stats = of(event.at) if event.type_name == "user" and not is_automatic(event) else None
            if stats is None:
                continue
            following = []
            for later in events[index + 1 :]:
                if later.type_name == "user":
                    break
                following.append(later.action or "")
            stats.messages += 1
            if FALLBACK in reasons_for(event, following, threshold=0.0):
                stats.fallbacks += 1
            intent = event.top_intent
            if intent and intent != "nlu_fallback":
                stats.intents[intent] += 1
            talked.add((conversation_id, stats.day))
    for _, day in talked:
        days[day].conversations += 1
    handed = session.execute(
        select(Handoff.conversation_id, Handoff.created_at).where(
            Handoff.created_at >= start, Handoff.created_at < end
        )
    )
    for conversation_id, day in {(c, paris_day(at)) for c, at in handed}:
        if day in days:
            days[day].handoff_conversations += 1
            if (conversation_id, day) not in talked:
                days[day].conversations += 1
    sent = session.scalars(
        select(OutgoingEmail.sent_at).where(
            OutgoingEmail.status == EmailStatus.SENT,
            OutgoingEmail.sent_at >= start,
            OutgoingEmail.sent_at < end,
        )
    )
    for moment in sent:
        if (stats := of(moment)) is not None:
            stats.emails_sent += 1
    for moment in session.scalars(
        select(PostalLetter.created_at).where(PostalLetter.created_at >= start, PostalLetter.created_at < end)
    ):
        if (stats := of(moment)) is not None:
            stats.letters += 1
    for moment in session.scalars(
        select(AuditEvent.created_at).where(
            AuditEvent.kind == AuditKind.ACCESS_CODE_CHANGED.value,
            AuditEvent.created_at >= start,
            AuditEvent.created_at < end,
        )
    ):
        if (stats := of(moment)) is not None:
            stats.codes_changed += 1
    return list(days.values())


def top_intents(days: list[DayStats], limit: int = 5) -> list[tuple[str, int]]:
    total: Counter[str] = Counter()
    for day in days:
        total.update(day.intents)
    return total.most_common(limit)
