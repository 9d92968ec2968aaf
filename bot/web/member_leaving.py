"""The member's way out of the live-chat queue, as ``POST /chat`` handles it.

Before a message goes to the agent (``bot.web.member_handoff.member_turn``), the web
tier looks for the member's choice (``bot.handoffs.leaving.read_choice``: the widget's
buttons « Être rappelé(e) » / « Quitter la file », or a short typed phrase):

- While the chat waits: it ends as ``left`` (the typed words kept in it for the console);
  the member is told. For a call-back, ``POST /chat`` then sends Rasa « /request_human »
  with the signed channel's ``rappel`` flag, and the call-back form asks the moment at once
  (``bot.handoffs.request``): no NLU change, the member's choice never guessed by the model.
- Once an agent holds the chat, a typed phrase is the agent's to read (None here); a
  button pressed late is not sent to the agent as « /rappel_plutot »: the member is told
  the agent is there.
- Without an open chat, a button still does what it says (a call-back is offered; leaving
  is already done); a typed phrase is Rasa's to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffState
from bot.handoffs import queue
from bot.handoffs.leaving import CALLBACK_PAYLOAD, PAYLOADS, Choice, leave_queue, read_choice
from bot.handoffs.waiting import WaitPolicy
from bot.web.member_handoff import handoff_view

# What Rasa is sent for a member who chose a call-back (with the channel's « rappel » flag).
CALLBACK_REQUEST = "/request_human"

LEFT_TEXTS = {
    Choice.CALLBACK: "C'est noté : vous quittez la file d'attente pour être rappelé(e).",
    Choice.LEAVE: "Vous avez quitté la file d'attente. Sésame reprend la main : posez-moi vos questions "
    "sur la connexion à votre Espace Adhérent. "
    "Pour parler à un conseiller plus tard, écrivez « conseiller ».",
}
NOT_IN_QUEUE_TEXT = "Vous n'êtes pas dans la file d'attente des conseillers."
AGENT_HERE_TEXT = "Un conseiller a déjà rejoint la conversation : écrivez-lui ici."
CALLBACK_ALREADY_TEXT = "Votre demande de rappel est déjà enregistrée : un conseiller ACS vous rappellera."
# Rasa did not answer the call-back request: the button asks again (no queue is needed for it).
CALLBACK_RETRY = {
    "text": "Je n'arrive pas à ouvrir la demande de rappel pour le moment. Réessayez dans un instant.",
    "buttons": [{"title": "Être rappelé(e)", "payload": CALLBACK_PAYLOAD}],
}


@dataclass
class Left:
    """The answer to the member's choice; ``ask_callback``: then ask Rasa for the call-back form."""

    messages: list[dict[str, Any]]
    handoff: dict[str, Any] | None = None
    ask_callback: bool = False

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"messages": self.messages}
        if self.handoff is not None:
            body["handoff"] = self.handoff
        return body


def _say(text: str) -> dict[str, Any]:
    return {"text": text, "buttons": []}


def leaving_turn(engine: Engine, sender: str, text: str, policy: WaitPolicy | None = None) -> Left | None:
    """The member's choice to leave the queue, handled; None when the message is no such choice."""
    choice = read_choice(text)
    if choice is None:
        return None
    button = text.strip() in PAYLOADS
    with session_scope(engine) as session:
        handoff = queue.open_for_conversation(session, sender)
        if handoff is None:
            if not button:
                return None
            if choice == Choice.CALLBACK:
                return Left([], ask_callback=True)
            return Left([_say(NOT_IN_QUEUE_TEXT)])
        if handoff.kind != HandoffKind.LIVE:  # a call-back is already queued
            return Left([_say(CALLBACK_ALREADY_TEXT)]) if button else None
        if handoff.state != HandoffState.WAITING:  # an agent holds it
            return Left([_say(AGENT_HERE_TEXT)], handoff_view(session, handoff, policy)) if button else None
        if not button:
            queue.member_says(session, handoff, text)
        leave_queue(session, handoff, choice, typed=not button)
        view = handoff_view(session, handoff, policy)
        return Left([_say(LEFT_TEXTS[choice])], view, ask_callback=choice == Choice.CALLBACK)
