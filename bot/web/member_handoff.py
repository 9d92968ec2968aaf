"""The member's hand-off as the widget sees it: its state, the agent's messages, the member's turn.

Shared by ``POST /chat`` (a message sent while an agent has the conversation goes
to the agent, not to Rasa) and ``GET /chat/flux`` (the stream of the agent's
messages), both in ``bot.web.routes``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.enums import HandoffAuthor, HandoffKind, HandoffState
from bot.db.models import Handoff, HandoffMessage, utcnow
from bot.handoffs import queue, waiting
from bot.handoffs.waiting import WaitPolicy
from bot.settings import Settings

STATE_WORDS = {
    HandoffState.WAITING: "attente",
    HandoffState.ACTIVE: "en_cours",
    HandoffState.CLOSED: "terminee",
}
WAITING_TEXT = (
    "Votre message est transmis. Un conseiller va vous répondre : vous êtes n° {position} dans la file."
)
# Nobody can answer now (no agent's console open, or outside the hours): no promise.
KEPT_TEXT = "Votre message est gardé pour le conseiller : vous êtes n° {position} dans la file."


def wait_policy(settings: Settings) -> WaitPolicy:
    return WaitPolicy.of(
        settings.handoff_hours, settings.agent_presence_seconds, settings.handoff_wait_offer_seconds
    )


def handoff_view(
    session: Any, handoff: Handoff, policy: WaitPolicy | None = None, now: dt.datetime | None = None
) -> dict[str, Any]:
    """What the widget needs to know about its hand-off.

    With ``policy``, a waiting chat also says the estimate and the call-back offer
    (``bot.handoffs.waiting``); a chat the member left says so (``fin``: ``adherent``).
    """
    place = queue.position(session, handoff)
    view: dict[str, Any] = {
        "id": handoff.id,
        "etat": STATE_WORDS.get(handoff.state, "terminee"),
        "position": place,
        "conseiller": handoff.agent.display_name if handoff.agent is not None else None,
    }
    if handoff.state == HandoffState.LEFT:
        view["fin"] = "adherent"
    if policy is not None:
        view.update(waiting.wait_view(session, handoff, place, policy, now or utcnow()))
    return view


def message_view(message: HandoffMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "qui": "conseiller" if message.author == HandoffAuthor.AGENT else "sesame",
        "texte": message.text,
    }


def member_turn(
    engine: Engine, sender: str, text: str, policy: WaitPolicy | None = None
) -> dict[str, Any] | None:
    """The answer to the member's message when an agent has (or will have) the conversation.

    None when the conversation has no open live hand-off: the message goes to Rasa.
    While nobody can answer, the member is not promised an answer « ici même ».
    """
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None
        queue.member_says(session, handoff, text)
        view = handoff_view(session, handoff, policy)
        messages = []
        if handoff.state == HandoffState.WAITING:
            offer = view.get("offre") or {}
            nobody = offer.get("motif") in {waiting.NOBODY, waiting.CLOSED}
            said = (KEPT_TEXT if nobody else WAITING_TEXT).format(position=view["position"])
            messages.append({"text": said, "buttons": []})
        return {"messages": messages, "handoff": view}


def opened_by_the_bot(engine: Engine, sender: str, policy: WaitPolicy | None = None) -> dict[str, Any] | None:
    """The hand-off the bot's answer has just opened (``action_request_human``), if any."""
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None
        return handoff_view(session, handoff, policy)
