"""The members' « Cette réponse vous a aidé ? Oui / Non », asked by the widget after an answer.

Which answers are rated: an answer to a real question (``followups.is_question``) that
the bot gave by itself. Not a greeting, a thank-you or a « oui »; not « Vouliez-vous
dire… » nor « pouvez-vous reformuler » (the inbox already lists those); not a
hand-off; not an answer that ends with a question of the bot (« Je lance la
demande ? », a form's « Que se passe-t-il exactement ? »): the member answers that first.

``offered_message`` tells the web tier, after each turn, which member message the
widget may ask about (its tracker event id); the widget sends it back with the
member's choice, and ``record`` checks it again: a member message of that same
conversation (the conversation id authenticates the member's chat, as for ``POST /chat``).

One rating per message, the first one stands (a repeated request changes nothing).
A conversation may rate at most ``PER_CONVERSATION_PER_HOUR`` answers an hour: more is
no member reading answers. No free text is taken: only « oui » or « non », kept as long
as the conversation (``RETENTION_CONVERSATIONS_DAYS``, ``bot.privacy.purge``).
"""

from __future__ import annotations

import datetime as dt
from enum import Enum

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.db.models import AnswerFeedback, utcnow
from bot.workbench.followups import is_question
from bot.workbench.inbox import FALLBACK_ACTIONS, HANDOFF_ACTION
from bot.workbench.tracker import TrackerEvent, event, last_events

PER_CONVERSATION_PER_HOUR = 20
# Enough of a conversation's end to find its last member message and what followed it.
LAST_EVENTS = 40


class Outcome(Enum):
    RECORDED = "recorded"
    UNKNOWN = "unknown"  # no member message with that id in this conversation
    LIMITED = "limited"  # too many ratings from this conversation in the last hour


def answered_as_a_question(message: TrackerEvent, after: list[TrackerEvent]) -> bool:
    """True when the bot answered ``message`` (followed by ``after``) as a question it knew."""
    if not is_question(message.top_intent):
        return False
    actions = {e.action for e in after if e.type_name == "action"}
    if actions & FALLBACK_ACTIONS or HANDOFF_ACTION in actions:
        return False
    if any(e.type_name == "active_loop" and e.data.get("name") for e in after):
        return False  # a form started: the bot is asking, it has not answered yet
    said = [e.text for e in after if e.type_name == "bot" and e.text.strip()]
    # « … Je lance la demande ? »: the member has a question to answer first, not an answer to rate.
    return bool(said) and not said[-1].rstrip().endswith("?")


def offered_message(tracker: Engine, conversation_id: str) -> int | None:
    """The member message the widget may ask about now (its event id), or None."""
    latest = last_events(tracker, conversation_id, ("user", "action", "bot", "active_loop"), LAST_EVENTS)
    users = [i for i, e in enumerate(latest) if e.type_name == "user"]
    if not users:
        return None
    message = latest[users[-1]]
    return message.id if answered_as_a_question(message, latest[users[-1] + 1 :]) else None


def record(
    session: Session,
    tracker: Engine,
    conversation_id: str,
    event_id: int,
    helpful: bool,
    now: dt.datetime | None = None,
) -> Outcome:
    """Store the member's « oui » (``helpful``) or « non » about the answer to message ``event_id``."""
    now = now or utcnow()
    rated = event(tracker, conversation_id, event_id)
    if rated is None or rated.type_name != "user":
        return Outcome.UNKNOWN
    existing = session.scalar(
        select(AnswerFeedback.id).where(
            AnswerFeedback.conversation_id == conversation_id, AnswerFeedback.event_id == event_id
        )
    )
    if existing is not None:
        return Outcome.RECORDED  # the first answer stands
    recent = session.scalar(
        select(func.count())
        .select_from(AnswerFeedback)
        .where(
            AnswerFeedback.conversation_id == conversation_id,
            AnswerFeedback.created_at >= now - dt.timedelta(hours=1),
        )
    )
    if (recent or 0) >= PER_CONVERSATION_PER_HOUR:
        return Outcome.LIMITED
    try:
        with session.begin_nested():
            session.add(
                AnswerFeedback(
                    conversation_id=conversation_id, event_id=event_id, helpful=helpful, created_at=now
                )
            )
    except IntegrityError:  # the same answer sent twice at once: the other one was stored
        pass
    return Outcome.RECORDED
