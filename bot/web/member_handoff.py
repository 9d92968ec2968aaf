"""The member's hand-off as the widget sees it: its state, the agent's messages, the member's turn.

Shared by ``POST /chat`` (a message sent while an agent has the conversation goes
to the agent, not to Rasa) and ``GET /chat/flux`` (the stream of the agent's
messages), both in ``bot.web.routes``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.enums import HandoffAuthor, HandoffKind, HandoffState
from bot.db.models import Handoff, HandoffMessage
from bot.handoffs import queue

STATE_WORDS = {
    HandoffState.WAITING: "attente",
    HandoffState.ACTIVE: "en_cours",
    HandoffState.CLOSED: "terminee",
}
WAITING_TEXT = (
    "Votre message est transmis. Un conseiller va vous répondre : vous êtes n° {position} dans la file."
)


def handoff_view(session: Any, handoff: Handoff) -> dict[str, Any]:
    """What the widget needs to know about its hand-off."""
    return {
        "id": handoff.id,
        "etat": STATE_WORDS.get(handoff.state, "terminee"),
        "position": queue.position(session, handoff),
        "conseiller": handoff.agent.display_name if handoff.agent is not None else None,
    }


def message_view(message: HandoffMessage) -> dict[str, Any]:
    return {
        "id": message.id,
        "qui": "conseiller" if message.author == HandoffAuthor.AGENT else "sesame",
        "texte": message.text,
    }


def member_turn(engine: Engine, sender: str, text: str) -> dict[str, Any] | None:
    """The answer to the member's message when an agent has (or will have) the conversation.

    None when the conversation has no open live hand-off: the message goes to Rasa.
    """
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None
        queue.member_says(session, handoff, text)
        view = handoff_view(session, handoff)
        messages = []
        if handoff.state == HandoffState.WAITING:
            messages.append({"text": WAITING_TEXT.format(position=view["position"]), "buttons": []})
        return {"messages": messages, "handoff": view}


def opened_by_the_bot(engine: Engine, sender: str) -> dict[str, Any] | None:
    """The hand-off the bot's answer has just opened (``action_request_human``), if any."""
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None
        return handoff_view(session, handoff)
