"""Hand-offs from the chat to agents: the queue, taking, transferring, closing, messages.

Everything lives in the database (``handoffs``, ``handoff_messages``), never in a
process: any web replica, the action server and ``./sesame handoffs list`` see the
same queue, and a restart loses nothing. Each function runs in the caller's unit of
work (``bot.db.engine.session_scope``).

- A conversation has at most one open hand-off (waiting or active): ``open_handoff``
  returns the one already open, and a partial unique index backs it up.
- Taking is one conditional UPDATE (``WHERE state = 'waiting'``): of two agents who
  click at once, exactly one wins, on SQLite and PostgreSQL alike.
- Live chats are offered only while at least one agent marked « disponible » has a
  live console session whose console is open (a sign of life within
  ``AGENT_PRESENCE_SECONDS``: ``bot.agents.presence``), within ``HANDOFF_HOURS``;
  otherwise the bot offers a call-back.
- Member messages and transcripts are stored masked by the one gate for secrets
  (``bot.shared.patterns.redact``: any digit form, anything between the digits), as
  the conversation store keeps them; agent messages are plain text, shown as text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Engine, func, select, text, update
from sqlalchemy.orm import Session

from bot.agents.presence import DEFAULT_PRESENCE, session_present
from bot.agents.sessions import ABSOLUTE_LIFETIME, IDLE_TIMEOUT
from bot.db.enums import HandoffAuthor, HandoffKind, HandoffReason, HandoffState
from bot.db.models import Agent, AgentSession, Handoff, HandoffMessage, utcnow
from bot.rules.opening_hours import is_open
from bot.shared.patterns import redact

MAX_MESSAGE_CHARS = 2000
OPEN_STATES = (HandoffState.WAITING, HandoffState.ACTIVE)
# The transcript's lines are {"qui": "adherent" | "sesame", "texte": …}
# (bot.handoffs.summary); "text" is masked too, for any other writer.
_TEXT_KEYS = frozenset({"texte", "text"})

TAKEN_TEXT = "{name}, conseiller(ère) ACS, a rejoint la conversation."
TRANSFERRED_TEXT = "Votre conversation est confiée à {name}, conseiller(ère) ACS."
CLOSED_TEXT = (
    "Le conseiller a terminé la conversation. Sésame reprend la main : "
    "posez-moi vos questions sur la connexion à votre Espace Adhérent."
)


class HandoffError(ValueError):
    """The step is not possible (already taken, closed, not yours…); French message."""


@dataclass(frozen=True)
class Availability:
    """Can a member be put through to a person right now, and if not, why."""

    open_now: bool  # within HANDOFF_HOURS
    agents: int  # available agents with a live session

    @property
    def live(self) -> bool:
        return self.open_now and self.agents > 0


def available_agents(session: Session, now: dt.datetime, presence: dt.timedelta = DEFAULT_PRESENCE) -> int:
    """Agents marked available whose console session is alive (not idle, not expired) and
    whose console is open (a sign of life within ``presence``)."""
    alive = (
        select(AgentSession.agent_id)
        .where(
            AgentSession.ended_at.is_(None),
            AgentSession.last_seen_at > now - IDLE_TIMEOUT,
            AgentSession.created_at > now - ABSOLUTE_LIFETIME,
            session_present(now, presence),
        )
        .scalar_subquery()
    )
    count = session.scalar(
        select(func.count()).select_from(Agent).where(Agent.active, Agent.available, Agent.id.in_(alive))
    )
    return int(count or 0)


def availability(
    session: Session, hours: str, now: dt.datetime, presence: dt.timedelta = DEFAULT_PRESENCE
) -> Availability:
    return Availability(open_now=is_open(hours, now), agents=available_agents(session, now, presence))


def open_for_conversation(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's waiting or active hand-off, if any."""
    return session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.state.in_(OPEN_STATES))
    ).one_or_none()


# Asked for every member message (``POST /chat``, before and after Rasa), when almost
# never is a live chat open: a plain statement on a pooled connection, without an ORM
# session or a statement to compile (issue #24: about half of the web tier's time per
# message went to ``open_for_conversation``). Backed by the partial index on open hand-offs.
_LIVE_OPEN = text(
    "SELECT 1 FROM handoffs WHERE conversation_id = :conversation AND kind = :live "
    "AND state IN (:waiting, :active) LIMIT 1"
)


def live_chat_open(engine: Engine, conversation_id: str) -> bool:
    """Whether the conversation has a waiting or active live chat (not a call-back), in one query."""
    parameters = {
        "conversation": conversation_id,
        "live": HandoffKind.LIVE.value,
        "waiting": HandoffState.WAITING.value,
        "active": HandoffState.ACTIVE.value,
    }
    with engine.connect() as connection:
        return connection.execute(_LIVE_OPEN, parameters).first() is not None


def open_handoff(
    session: Session,
    *,
    conversation_id: str,
    channel: str,
    kind: HandoffKind,
    reason: HandoffReason,
    summary: str,
    transcript: list[dict[str, str]],
    member_ref: str | None = None,
    callback_phone: str | None = None,
    callback_slot: str | None = None,
    callback_window: tuple[dt.datetime | None, dt.datetime | None] = (None, None),
    now: dt.datetime | None = None,
) -> Handoff:
    """Queue a hand-off for the conversation, or return the one already open."""
    existing = open_for_conversation(session, conversation_id)
    if existing is not None:
        return existing
    handoff = Handoff(
        conversation_id=conversation_id,
        channel=channel,
        kind=kind,
        reason=reason,
        state=HandoffState.WAITING,
        created_at=now or utcnow(),
        summary=summary,
        transcript=[
            {key: redact(value) if key in _TEXT_KEYS else value for key, value in line.items()}
            for line in transcript
        ],
        member_ref=member_ref,
        callback_phone=callback_phone,
        callback_slot=redact(callback_slot) if callback_slot else callback_slot,
        callback_from=callback_window[0],
        callback_until=callback_window[1],
    )
    session.add(handoff)
    session.flush()
    return handoff


def position(session: Session, handoff: Handoff) -> int:
    """1 for the next live chat to be taken; 0 once an agent holds it (or for a call-back)."""
    if handoff.state != HandoffState.WAITING or handoff.kind != HandoffKind.LIVE:
        return 0
    ahead = session.scalar(
        select(func.count()).where(
            Handoff.kind == HandoffKind.LIVE,
            Handoff.state == HandoffState.WAITING,
            (Handoff.created_at < handoff.created_at)
            | ((Handoff.created_at == handoff.created_at) & (Handoff.id < handoff.id)),
        )
    )
    return int(ahead or 0) + 1


def queue(session: Session) -> Sequence[Handoff]:
    """Open hand-offs and waiting call-backs, oldest first (the console's queue)."""
    return session.scalars(
        select(Handoff).where(Handoff.state.in_(OPEN_STATES)).order_by(Handoff.created_at, Handoff.id)
    ).all()


def _get(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise HandoffError("Cette prise en charge n'existe pas.")
    return handoff


def _system(session: Session, handoff: Handoff, text: str, now: dt.datetime) -> None:
    session.add(HandoffMessage(handoff_id=handoff.id, created_at=now, author=HandoffAuthor.SYSTEM, text=text))


def take(session: Session, handoff_id: int, agent: Agent, now: dt.datetime | None = None) -> Handoff:
    """The agent takes a waiting live chat; ``HandoffError`` if someone was faster."""
    now = now or utcnow()
    result = session.execute(
        update(Handoff)
        .where(
            Handoff.id == handoff_id,
            Handoff.state == HandoffState.WAITING,
            Handoff.kind == HandoffKind.LIVE,
        )
        .values(state=HandoffState.ACTIVE, agent_id=agent.id, taken_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(result, "rowcount", 0) != 1:
        raise HandoffError("Cette conversation a déjà été prise par un autre conseiller, ou n'attend plus.")
    handoff = _get(session, handoff_id)
    session.refresh(handoff)
    _system(session, handoff, TAKEN_TEXT.format(name=agent.display_name), now)
    return handoff


def _held_by(session: Session, handoff_id: int, agent: Agent) -> Handoff:
    handoff = _get(session, handoff_id)
    if handoff.state != HandoffState.ACTIVE or handoff.agent_id != agent.id:
        raise HandoffError("Vous ne tenez pas cette conversation.")
    return handoff


def transfer(
    session: Session, handoff_id: int, agent: Agent, to: Agent, now: dt.datetime | None = None
) -> Handoff:
    """Hand an active chat held by ``agent`` over to ``to`` (an active account)."""
    now = now or utcnow()
    if not to.active:
        raise HandoffError("Ce conseiller n'a pas de compte actif.")
    if to.id == agent.id:
        raise HandoffError("Vous tenez déjà cette conversation.")
    handoff = _held_by(session, handoff_id, agent)
    handoff.agent_id = to.id
    _system(session, handoff, TRANSFERRED_TEXT.format(name=to.display_name), now)
    return handoff


def close(session: Session, handoff_id: int, agent: Agent, now: dt.datetime | None = None) -> Handoff:
    """Close a live chat (the agent's own, or one still waiting): the bot takes over again."""
    now = now or utcnow()
    handoff = _get(session, handoff_id)
    if handoff.kind != HandoffKind.LIVE or handoff.state not in OPEN_STATES:
        raise HandoffError("Cette conversation n'est plus ouverte.")
    if handoff.state == HandoffState.ACTIVE and handoff.agent_id != agent.id:
        raise HandoffError("Vous ne tenez pas cette conversation.")
    handoff.state = HandoffState.CLOSED
    handoff.closed_at = now
    handoff.agent_id = handoff.agent_id or agent.id
    _system(session, handoff, CLOSED_TEXT, now)
    return handoff


def finish_callback(
    session: Session, handoff_id: int, agent: Agent | None, reached: bool, now: dt.datetime | None = None
) -> Handoff:
    """Mark a call-back done (member reached) or unreachable; ``agent`` None: from the command line."""
    handoff = _get(session, handoff_id)
    if handoff.kind != HandoffKind.CALLBACK:
        raise HandoffError("Ce n'est pas un rappel : c'est une discussion en direct.")
    if handoff.state != HandoffState.WAITING:
        raise HandoffError("Ce rappel n'est plus en attente.")
    handoff.state = HandoffState.DONE if reached else HandoffState.UNREACHABLE
    handoff.closed_at = now or utcnow()
    handoff.agent_id = agent.id if agent else None
    return handoff


def clean_text(text: str) -> str:
    """A chat message as stored: stripped, bounded; empty is refused."""
    cleaned = text.strip()
    if not cleaned:
        raise HandoffError("Le message est vide.")
    if len(cleaned) > MAX_MESSAGE_CHARS:
        raise HandoffError(f"Message trop long : {MAX_MESSAGE_CHARS} caractères au plus.")
    return cleaned


def agent_says(
    session: Session, handoff_id: int, agent: Agent, text: str, now: dt.datetime | None = None
) -> HandoffMessage:
    handoff = _held_by(session, handoff_id, agent)
    message = HandoffMessage(
        handoff_id=handoff.id,
        created_at=now or utcnow(),
        author=HandoffAuthor.AGENT,
        agent_id=agent.id,
        text=clean_text(text),
    )
    session.add(message)
    session.flush()
    return message


def member_says(
    session: Session, handoff: Handoff, text: str, now: dt.datetime | None = None
) -> HandoffMessage:
    """The member's message in a live hand-off, masked as the conversation store masks it."""
    message = HandoffMessage(
        handoff_id=handoff.id,
        created_at=now or utcnow(),
        author=HandoffAuthor.MEMBER,
        text=redact(clean_text(text)),
    )
    session.add(message)
    session.flush()
    return message


def messages_after(session: Session, handoff_id: int, after_id: int = 0) -> Sequence[HandoffMessage]:
    return session.scalars(
        select(HandoffMessage)
        .where(HandoffMessage.handoff_id == handoff_id, HandoffMessage.id > after_id)
        .order_by(HandoffMessage.id)
    ).all()


def latest_for_conversation(session: Session, conversation_id: str) -> Handoff | None:
    """The conversation's most recent hand-off, open or not (the widget follows it to its close)."""
    return session.scalars(
        select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id.desc()).limit(1)
    ).first()
