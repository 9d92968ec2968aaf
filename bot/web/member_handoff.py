"""The member's hand-off as the widget sees it: its state, the agent's messages, the member's turn.

Shared by ``POST /chat`` (a message sent while an agent has the conversation goes
to the agent, not to Rasa) and ``GET /chat/flux`` (the stream of the agent's
messages), both in ``bot.web.routes``.

A NIR the member types to the agent is checked here, on the raw message and before
it is stored masked, the one place that sees it (``bot.agents.chat_member``): when it
is a member's, the hand-off gets their keyed hash, and the agent can open the file.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.agents.chat_member import member_ref_of_typed
from bot.db.engine import session_scope
from bot.db.enums import HandoffAuthor, HandoffKind, HandoffState
from bot.db.models import Handoff, HandoffMessage, utcnow
from bot.handoffs import queue, waiting
from bot.handoffs.waiting import WaitPolicy
from bot.rules.nir import nir_typed_in
from bot.settings import Settings
from bot.web.rasa import client_label

logger = logging.getLogger(__name__)

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


@dataclass(frozen=True)
class NumberCheck:
    """What checking a NIR typed in the live chat needs: the key, who is asking, the global pace."""

    key: str  # NIR_HASH_KEY
    client: str  # the member's client label (bot.web.rasa.client_label)
    per_minute: int  # LOOKUPS_PER_MINUTE


def number_check(settings: Settings, client_address: str | None) -> NumberCheck:
    """The check of the member at ``client_address``, counted as the bot counts their look-ups."""
    return NumberCheck(
        settings.nir_hash_key,
        client_label(client_address, settings.nir_hash_key),
        settings.lookups_per_minute,
    )


def _member_named(engine: Engine, sender: str, raw_text: str, check: NumberCheck) -> str | None:
    """The member whose NIR the raw message holds, when the open live chat has none yet.

    Its own unit of work, before the message's: the look-up's row is kept whatever
    follows, and a failure here (a lock, the database) costs the agent the file, never
    the member their message, which still goes to the agent. The first member stays:
    a number typed later never swaps the file the agent may be reading.
    """
    nir = nir_typed_in(raw_text)
    if nir is None:
        return None
    try:
        with session_scope(engine) as session:
            handoff = queue.open_for_conversation(session, sender)
            if handoff is None or handoff.kind != HandoffKind.LIVE or handoff.member_ref is not None:
                return None
            return member_ref_of_typed(session, nir, check.key, check.client, utcnow(), check.per_minute)
    except SQLAlchemyError as exc:
        logger.warning("live chat: a typed number could not be looked up (%s)", type(exc).__name__)
        return None


def member_turn(
    engine: Engine,
    sender: str,
    text: str,
    policy: WaitPolicy | None = None,
    check: NumberCheck | None = None,
) -> dict[str, Any] | None:
    """The answer to the member's message when an agent has (or will have) the conversation.

    None when the conversation has no open live hand-off: the message goes to Rasa.
    While nobody can answer, the member is not promised an answer « ici même ».
    ``check``: look a NIR in the message up before it is masked (``_member_named``).
    """
    member_ref = _member_named(engine, sender, text, check) if check is not None else None
    if not queue.live_chat_open(engine, sender):  # nearly every message: one light query
        return None
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None
        if member_ref is not None and handoff.member_ref is None:
            handoff.member_ref = member_ref
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
    if not queue.live_chat_open(engine, sender):
        return None
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None or handoff.kind != HandoffKind.LIVE:
            return None
        return handoff_view(session, handoff, policy)
