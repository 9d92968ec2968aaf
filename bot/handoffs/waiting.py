"""What a member waiting for an agent is told: an honest estimate, and a call-back when it helps.

- **Nobody left.** When no available agent has an open console any more (the last one
  signed out, closed the console, went « indisponible »), or the chat hours ended, the
  member is told so at once and offered a call-back; they keep their place in the queue
  if they stay, and are put through if an agent comes back.
- **Too long.** After ``HANDOFF_WAIT_OFFER_SECONDS`` in the queue, Sésame offers the
  call-back itself (0: never).
- **Estimate.** The median time agents took to take the recent chats, times the
  member's place, divided by the agents available: « environ N min », shown only with
  at least ``MIN_SAMPLES`` chats taken in the last ``RECENT`` and an agent available;
  otherwise nothing is said, never a number made up.

The offer is words and two buttons (``bot.handoffs.leaving``'s payloads); the web tier
sends them with the hand-off's state, and the widget shows them once.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.agents.presence import DEFAULT_PRESENCE
from bot.db.enums import HandoffKind, HandoffState
from bot.db.models import Handoff
from bot.handoffs.leaving import CALLBACK_PAYLOAD, LEAVE_PAYLOAD
from bot.handoffs.queue import availability

# Chats taken in this long before now make the estimate…
RECENT = dt.timedelta(hours=24)
# …the latest ones, at most this many…
MAX_SAMPLES = 30
# …and at least this many, or no estimate is given.
MIN_SAMPLES = 5

NOBODY, CLOSED, TOO_LONG = "personne", "ferme", "attente"
OFFER_TEXTS = {
    NOBODY: "Aucun conseiller n'est disponible pour le moment. Vous gardez votre place dans la file "
    "et un conseiller vous répondra ici dès son retour ; si vous préférez, un conseiller peut vous rappeler.",
    CLOSED: "Les conseillers ACS ne répondent plus dans le chat à cette heure-ci. "
    "Un conseiller peut vous rappeler ; vous pouvez aussi quitter la file.",
    TOO_LONG: "Votre attente se prolonge. Si vous préférez, un conseiller peut vous rappeler ; "
    "sinon, vous gardez votre place dans la file.",
}
OFFER_BUTTONS = (
    {"title": "Être rappelé(e)", "payload": CALLBACK_PAYLOAD},
    {"title": "Quitter la file", "payload": LEAVE_PAYLOAD},
)


@dataclass(frozen=True)
class WaitPolicy:
    """The settings the wait depends on: chat hours, presence, when a call-back is offered."""

    hours: str = ""
    presence: dt.timedelta = DEFAULT_PRESENCE
    offer_after: dt.timedelta | None = dt.timedelta(minutes=5)  # None: never for the wait alone

    @classmethod
    def of(cls, hours: str, presence_seconds: int, offer_seconds: int) -> WaitPolicy:
        """From the settings ``HANDOFF_HOURS``, ``AGENT_PRESENCE_SECONDS``, ``HANDOFF_WAIT_OFFER_SECONDS``."""
        offer = dt.timedelta(seconds=offer_seconds) if offer_seconds > 0 else None
        return cls(hours=hours, presence=dt.timedelta(seconds=presence_seconds), offer_after=offer)


def recent_take_seconds(session: Session, now: dt.datetime) -> list[float]:
    """How long the latest live chats taken within ``RECENT`` waited before an agent took them."""
    rows = session.execute(
        select(Handoff.created_at, Handoff.taken_at)
        .where(
            Handoff.kind == HandoffKind.LIVE,
            Handoff.taken_at.is_not(None),
            Handoff.taken_at > now - RECENT,
        )
        .order_by(Handoff.taken_at.desc())
        .limit(MAX_SAMPLES)
    ).all()
    return [max(0.0, (taken - created).total_seconds()) for created, taken in rows if taken is not None]


def estimate_minutes(samples: list[float], place: int, agents: int) -> int | None:
    """« environ N min » for the member at ``place``, or None when it cannot be said honestly."""
    if agents < 1 or place < 1 or len(samples) < MIN_SAMPLES:
        return None
    seconds = statistics.median(samples) * place / agents
    return max(1, math.ceil(seconds / 60))


def offer(handoff: Handoff, open_now: bool, agents: int, policy: WaitPolicy, now: dt.datetime) -> str | None:
    """Why Sésame offers a call-back now (``NOBODY``, ``CLOSED``, ``TOO_LONG``), or None."""
    if not open_now:
        return CLOSED
    if agents < 1:
        return NOBODY
    if policy.offer_after is not None and now - handoff.created_at >= policy.offer_after:
        return TOO_LONG
    return None


def wait_view(
    session: Session, handoff: Handoff, place: int, policy: WaitPolicy, now: dt.datetime
) -> dict[str, Any]:
    """The waiting member's extra facts for the widget: ``estimation`` (minutes or None) and
    ``offre`` (``{"motif", "texte", "boutons"}`` or None). Empty unless the chat is waiting."""
    if handoff.kind != HandoffKind.LIVE or handoff.state != HandoffState.WAITING:
        return {}
    now_available = availability(session, policy.hours, now, policy.presence)
    agents = now_available.agents if now_available.open_now else 0
    estimate = estimate_minutes(recent_take_seconds(session, now), place, agents) if agents else None
    why = offer(handoff, now_available.open_now, agents, policy, now)
    return {
        "estimation": estimate,
        "offre": None
        if why is None
        else {"motif": why, "texte": OFFER_TEXTS[why], "boutons": [dict(b) for b in OFFER_BUTTONS]},
    }
