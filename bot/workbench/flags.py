"""An agent asks trainers to review a conversation (a hand-off that went wrong, an odd answer)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction
from bot.db.models import Handoff, ReviewFlag, utcnow
from bot.rules.conversation_refs import ConversationRefs
from bot.shared.patterns import redact

MAX_NOTE = 500


def flag_conversation(
    session: Session,
    conversation_id: str,
    agent_login: str,
    note: str = "",
    now: dt.datetime | None = None,
    *,
    refs: ConversationRefs,
) -> ReviewFlag:
    """Put every member message of the conversation in the inbox (reason ``flagged``); audited.

    The note is masked (an agent may paste what the member typed) and cut at 500 characters.
    The audit log, read by supervisors, names the conversation by its reference.
    """
    if not conversation_id.strip():
        raise ValueError("Indiquez la conversation à signaler.")
    flag = ReviewFlag(
        conversation_id=conversation_id,
        agent_login=agent_login,
        note=redact(note.strip())[:MAX_NOTE],
        created_at=now or utcnow(),
    )
    session.add(flag)
    record(session, agent_login, AgentAction.REVIEW_FLAGGED, now=now, conversation=refs.of(conversation_id))
    return flag


def flag_handoff(
    session: Session,
    handoff_id: int,
    agent_login: str,
    note: str = "",
    now: dt.datetime | None = None,
    *,
    refs: ConversationRefs,
) -> ReviewFlag:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise LookupError(f"Prise en charge {handoff_id} introuvable.")
    return flag_conversation(session, handoff.conversation_id, agent_login, note, now, refs=refs)


def flags(session: Session, conversation_id: str | None = None) -> list[ReviewFlag]:
    query = select(ReviewFlag).order_by(ReviewFlag.created_at.desc(), ReviewFlag.id.desc())
    if conversation_id is not None:
        query = query.where(ReviewFlag.conversation_id == conversation_id)
    return list(session.scalars(query))
