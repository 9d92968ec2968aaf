"""The console's queue of hand-offs: availability, take, chat, transfer, close, call-backs.

Same guards as the rest of the console API (``bot.web.deps``): an agent's
session for everything, the console's own ``Origin`` for every POST. Taking is
decided by the database (``bot.handoffs.queue.take``): the loser of a race gets
409. Every step is audited under the agent's login.

What each role reads is ``bot.handoffs.access``'s rule: a conseiller sees the queue
(summaries, masked call-back numbers) and reads the transcript of the chat they hold
or a waiting call-back's number; anything else answers 404, like an unknown id.
Each such read is audited once per agent, hand-off and half-hour (polls included).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, HandoffAuthor, HandoffKind, HandoffState
from bot.db.models import Agent, Handoff, utcnow
from bot.handoffs import access, queue
from bot.rules import french_time
from bot.rules.callback_time import window_text
from bot.rules.conversation_refs import ConversationRefs
from bot.web.deps import (
    AgentIdentity,
    Config,
    ConsoleError,
    ConsoleOpen,
    PageApi,
    SignedIn,
    from_console_page,
    presence_of,
)
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.schemas.console_queue import (
    Availability,
    CallbackOutcome,
    Colleague,
    Flag,
    Flagged,
    HandoffDetail,
    Line,
    QueueItem,
    QueueView,
    Said,
    Transfer,
)
from bot.workbench import flags

api = PageApi(CONSOLE_API_PREFIX, "console des conseillers", from_console_page)
router = api.router

KIND_WORDS = {HandoffKind.LIVE: "discussion", HandoffKind.CALLBACK: "rappel"}
STATE_WORDS = {
    HandoffState.WAITING: "en_attente",
    HandoffState.ACTIVE: "en_cours",
    HandoffState.CLOSED: "terminee",
    HandoffState.DONE: "rappel_fait",
    HandoffState.UNREACHABLE: "injoignable",
    HandoffState.LEFT: "quittee",  # the member left the queue (bot.handoffs.leaving)
}
AUTHOR_WORDS = {
    HandoffAuthor.MEMBER: "adherent",
    HandoffAuthor.AGENT: "conseiller",
    HandoffAuthor.SYSTEM: "sesame",
}


NOT_FOUND = access.NOT_YOURS


def _agent(session: Session, identity: AgentIdentity) -> Agent:
    agent = session.get(Agent, identity.id)
    if agent is None or not agent.active:
        raise ConsoleError(401, "Votre compte n'est plus actif.")
    return agent


def _item(handoff: Handoff, identity: AgentIdentity, now: dt.datetime, *, full: bool = False) -> QueueItem:
    """One hand-off as the queue shows it; ``full``: with the call-back's whole number (a read)."""
    phone = handoff.callback_phone if full else access.queue_phone(handoff)
    return QueueItem(
        id=handoff.id,
        type=KIND_WORDS[handoff.kind],  # type: ignore[arg-type]
        etat=STATE_WORDS[handoff.state],
        attente_secondes=max(0, int((now - handoff.created_at).total_seconds())),
        depuis=french_time.ago(handoff.created_at, now),
        motif="demande" if handoff.reason == "asked" else "incomprehension",
        resume=access.queue_summary(handoff, identity.id, identity.is_supervisor),
        conseiller=handoff.agent.display_name if handoff.agent else None,
        a_moi=handoff.agent_id == identity.id,
        telephone=phone,
        creneau=handoff.callback_slot,
        fenetre=window_text(handoff.callback_from, handoff.callback_until, now)
        if handoff.callback_from
        else None,
    )


@api.get("/file", "La file des prises en charge (et le signe de vie de la console)", QueueView, (401,))
def queue_view(agent: SignedIn, config: Config, came_back: ConsoleOpen) -> QueueView:
    now = utcnow()
    with session_scope(config.engine) as session:
        me = _agent(session, agent)
        items = [_item(h, agent, now) for h in queue.queue(session)]
        return QueueView(
            disponible=me.available,
            conseillers_disponibles=queue.available_agents(session, now, presence_of(config)),
            en_attente=sum(1 for item in items if item.etat == "en_attente"),
            elements=items,
            presence_secondes=config.settings.agent_presence_seconds,
            absence=came_back,
        )


@api.post("/disponibilite", "Se dire disponible (ou non) pour les discussions", Availability, (401, 403))
def set_availability(body: Availability, agent: SignedIn, config: Config, _: ConsoleOpen) -> Availability:
    with session_scope(config.engine) as session:
        me = _agent(session, agent)
        me.available = body.disponible
        audit.record(session, agent.login, AgentAction.AVAILABILITY_CHANGED, disponible=body.disponible)
    return body


def _detail(
    session: Session, handoff: Handoff, agent: AgentIdentity, after: int, refs: ConversationRefs
) -> HandoffDetail:
    """The hand-off with its transcript and messages if this agent may read them (audited), else bare.

    Bare is what a step answers once the hand-off left the agent's reach (a chat they
    closed, a call-back they marked): its new state, no transcript. The conversation
    is named by its reference (what an agent may tell a trainer), never by its id.
    """
    now = utcnow()
    if not access.may_read(handoff, agent.id, agent.is_supervisor):
        return HandoffDetail(element=_item(handoff, agent, now), transcription=[], messages=[])
    access.record_read(session, agent.login, handoff, now)
    return HandoffDetail(
        element=_item(handoff, agent, now, full=True),
        reference=refs.of(handoff.conversation_id),
        transcription=list(handoff.transcript or []),
        messages=[
            Line(id=m.id, qui=AUTHOR_WORDS[m.author], texte=m.text, date=m.created_at)  # type: ignore[arg-type]
            for m in queue.messages_after(session, handoff.id, after)
        ],
        adherent_verifie=handoff.member_ref is not None,
    )


def _found(session: Session, handoff_id: int) -> Handoff:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise ConsoleError(404, NOT_FOUND)
    return handoff


@api.get(
    "/prises-en-charge/{handoff_id}",
    "Une prise en charge : résumé, transcription, messages",
    HandoffDetail,
    (401, 404),
)
def handoff_detail(
    handoff_id: int, agent: SignedIn, config: Config, apres: Annotated[int, Query(ge=0)] = 0
) -> HandoffDetail:
    with session_scope(config.engine) as session:
        handoff = _found(session, handoff_id)
        if not access.may_read(handoff, agent.id, agent.is_supervisor):
            raise ConsoleError(404, NOT_FOUND)
        return _detail(session, handoff, agent, apres, config.refs)


def _step(
    config: Any, agent: AgentIdentity, handoff_id: int, action: AgentAction, work: Any, **detail: Any
) -> HandoffDetail:
    """Run one step on the hand-off under the agent's name, audited with it; 409 on a refusal."""
    with session_scope(config.engine) as session:
        me = _agent(session, agent)
        handoff = _found(session, handoff_id)
        try:
            work(session, me)
        except queue.HandoffError as refused:
            raise ConsoleError(409, str(refused)) from None
        audit.record(
            session, agent.login, action, nir_hash=handoff.member_ref, prise_en_charge=handoff_id, **detail
        )
        session.flush()
        session.refresh(handoff)
        return _detail(session, handoff, agent, 0, config.refs)


@api.post(
    "/prises-en-charge/{handoff_id}/prendre",
    "Prendre une discussion en attente",
    HandoffDetail,
    (401, 403, 404, 409),
)
def take(handoff_id: int, agent: SignedIn, config: Config) -> HandoffDetail:
    return _step(
        config, agent, handoff_id, AgentAction.HANDOFF_TAKEN, lambda s, me: queue.take(s, handoff_id, me)
    )


@api.post(
    "/prises-en-charge/{handoff_id}/messages", "Écrire à l'adhérent (texte seul)", Line, (401, 403, 404, 409)
)
def say(handoff_id: int, body: Said, agent: SignedIn, config: Config) -> Line:
    with session_scope(config.engine) as session:
        me = _agent(session, agent)
        handoff = _found(session, handoff_id)
        try:
            message = queue.agent_says(session, handoff_id, me, body.texte)
        except queue.HandoffError as refused:
            raise ConsoleError(409, str(refused)) from None
        audit.record(
            session,
            agent.login,
            AgentAction.HANDOFF_MESSAGE,
            nir_hash=handoff.member_ref,
            prise_en_charge=handoff_id,
        )
        return Line(id=message.id, qui="conseiller", texte=message.text, date=message.created_at)


@api.post(
    "/prises-en-charge/{handoff_id}/transferer",
    "Confier la discussion à un autre conseiller",
    HandoffDetail,
    (401, 403, 404, 409, 422),
)
def transfer(handoff_id: int, body: Transfer, agent: SignedIn, config: Config) -> HandoffDetail:
    with session_scope(config.engine) as session:
        target = session.scalars(
            select(Agent).where(Agent.login == body.conseiller.strip().lower())
        ).one_or_none()
        if target is None or not target.active:
            raise ConsoleError(422, "Aucun conseiller actif n'a cet identifiant.")
        target_id = target.id

    def work(session: Session, me: Agent) -> None:
        to = session.get(Agent, target_id)
        assert to is not None  # noqa: S101 - checked just above
        queue.transfer(session, handoff_id, me, to)

    return _step(
        config, agent, handoff_id, AgentAction.HANDOFF_TRANSFERRED, work, vers=body.conseiller.lower()
    )


@api.post(
    "/prises-en-charge/{handoff_id}/fermer",
    "Terminer la discussion : Sésame reprend la main",
    HandoffDetail,
    (401, 403, 404, 409),
)
def close(handoff_id: int, agent: SignedIn, config: Config) -> HandoffDetail:
    return _step(
        config, agent, handoff_id, AgentAction.HANDOFF_CLOSED, lambda s, me: queue.close(s, handoff_id, me)
    )


@api.post(
    "/prises-en-charge/{handoff_id}/rappel",
    "Marquer un rappel fait, ou l'adhérent injoignable",
    HandoffDetail,
    (401, 403, 404, 409),
)
def callback_outcome(
    handoff_id: int, body: CallbackOutcome, agent: SignedIn, config: Config
) -> HandoffDetail:
    action = AgentAction.CALLBACK_DONE if body.joint else AgentAction.CALLBACK_UNREACHABLE
    return _step(
        config,
        agent,
        handoff_id,
        action,
        lambda s, me: queue.finish_callback(s, handoff_id, me, reached=body.joint),
    )


@api.get("/conseillers", "Les conseillers actifs (pour un transfert)", list[Colleague], (401,))
def colleagues(agent: SignedIn, config: Config) -> list[Colleague]:
    with session_scope(config.engine) as session:
        agents = session.scalars(select(Agent).where(Agent.active).order_by(Agent.login)).all()
        return [Colleague(login=a.login, nom=a.display_name, disponible=a.available) for a in agents]


@api.post(
    "/prises-en-charge/{handoff_id}/signaler",
    "Signaler la conversation à l'atelier des formateurs",
    Flagged,
    (401, 403, 404),
)
def flag(handoff_id: int, body: Flag, agent: SignedIn, config: Config) -> Flagged:
    """Ses messages entrent dans la boîte de revue des formateurs (motif « signalée »). Journalisé.

    Un conseiller signale une discussion qu'il tient ou a tenue en dernier ; un superviseur, toute discussion.
    """
    with session_scope(config.engine) as session:
        if not access.may_flag(_found(session, handoff_id), agent.id, agent.is_supervisor):
            raise ConsoleError(404, NOT_FOUND)
        flags.flag_handoff(session, handoff_id, agent.login, body.note, refs=config.refs)
    return Flagged(message="Conversation signalée à l'atelier des formateurs.")
