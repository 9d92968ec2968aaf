"""A way out of the live-chat queue: the member switches to a call-back, or leaves.

While a member waits for an agent, what they type goes to the agent (the bot stays
silent), so « finalement je préfère être rappelé » used to be answered « Votre message
est transmis ». Here:

- ``read_choice`` recognises, in a short message, the member's wish to be called back
  (« rappelez-moi », « je préfère être rappelé ») or to leave (« annuler », « laissez
  tomber »), and the payloads of the widget's two buttons. A longer message, or one
  that says no (« pas besoin de rappel »), is not a choice: it goes to the agent.
  Wishing a call-back wins over leaving (« annulez, rappelez-moi plutôt »).
- ``leave_queue`` ends the waiting chat as ``left``: the member's words stay in it
  (nothing meant for the agent is lost), Sésame's line says why for the console, and an
  audit event records it (no text, no identity: the hand-off's id and the choice).

Only a chat still waiting can be left this way; once an agent holds it, the member's
messages are the agent's to read.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from enum import Enum

from sqlalchemy.orm import Session

from bot.db.enums import AuditKind, HandoffAuthor, HandoffKind, HandoffState
from bot.db.models import AuditEvent, Handoff, HandoffMessage, utcnow


class Choice(str, Enum):
    """What the member chose instead of waiting."""

    CALLBACK = "rappel"
    LEAVE = "quitter"


# The widget's buttons send these (never seen by Rasa: the web tier answers them).
CALLBACK_PAYLOAD = "/rappel_plutot"
LEAVE_PAYLOAD = "/quitter_file"
PAYLOADS = {CALLBACK_PAYLOAD: Choice.CALLBACK, LEAVE_PAYLOAD: Choice.LEAVE}

# A choice is a short message; a long one is a message for the agent that happens to use the words.
MAX_CHOICE_CHARS = 80
MAX_CHOICE_WORDS = 8

_CALLBACK = re.compile(
    r"\brappel+(e|ez|es)?[ -]moi\b"  # rappelez-moi, rappelle moi
    r"|\b(etre|me faire|se faire|m'avoir) rappele(e|s)?\b"  # être rappelé(e)
    r"|\bqu'?on me rappel+e?\b"  # qu'on me rappelle
    r"|\bvous me rappel+(ez|erez)\b"  # vous me rappelez ?
    r"|\b(un|le|plutot|plutot un|demander un) rappel\b"  # plutôt un rappel
    r"|^rappel( svp| s'il vous plait)?$"
)
_LEAVE = re.compile(
    r"\bannul+(er|e|ez|ons)?\b"
    r"|\blaiss(e|ez|er) tomber\b"
    r"|\btant pis\b"
    r"|\bquitt(er|e)\b"
    r"|\babandon+(er|e|ne)?\b"
    r"|\bplus besoin\b"
    r"|\bne veux plus attendre\b|\bveux plus attendre\b"
    r"|\bje m'en vais\b"
)
# « pas besoin de rappel », « ne pas annuler »: a no is no choice (« plus besoin » is a leave).
_NEGATION = re.compile(r"\b(pas|non|jamais)\b")

SYSTEM_TEXTS = {
    Choice.CALLBACK: "L'adhérent a quitté la file : il préfère être rappelé.",
    Choice.LEAVE: "L'adhérent a quitté la file d'attente.",
}


class NotWaiting(ValueError):
    """The chat is no longer waiting (an agent took it, or it ended)."""


def _plain(text: str) -> str:
    """Lower case, no accents, apostrophes and spaces made one, punctuation dropped."""
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = re.sub(r"[^a-z0-9' -]+", " ", bare)
    return re.sub(r"\s+", " ", bare).strip()


def read_choice(text: str) -> Choice | None:
    """The member's choice in ``text`` (a button's payload or a short typed phrase), or None."""
    stripped = (text or "").strip()
    if stripped in PAYLOADS:
        return PAYLOADS[stripped]
    if len(stripped) > MAX_CHOICE_CHARS:
        return None
    plain = _plain(stripped)
    if len(plain.split()) > MAX_CHOICE_WORDS or _NEGATION.search(plain):
        return None
    if _CALLBACK.search(plain):
        return Choice.CALLBACK
    if _LEAVE.search(plain):
        return Choice.LEAVE
    return None


def leave_queue(
    session: Session, handoff: Handoff, choice: Choice, *, typed: bool, now: dt.datetime | None = None
) -> Handoff:
    """End a waiting live chat as ``left``, or ``NotWaiting``.

    The caller has stored what the member typed (``queue.member_says``, masked) when
    ``typed``; a button adds nothing but Sésame's line.
    """
    if handoff.kind != HandoffKind.LIVE or handoff.state != HandoffState.WAITING:
        raise NotWaiting("Cette demande n'attend plus.")
    now = now or utcnow()
    handoff.state = HandoffState.LEFT
    handoff.closed_at = now
    session.add(
        HandoffMessage(
            handoff_id=handoff.id, created_at=now, author=HandoffAuthor.SYSTEM, text=SYSTEM_TEXTS[choice]
        )
    )
    session.add(
        AuditEvent(
            created_at=now,
            kind=AuditKind.HANDOFF_LEFT.value,
            detail={"prise_en_charge": handoff.id, "choix": choice.value, "bouton": not typed},
        )
    )
    session.flush()
    return handoff
