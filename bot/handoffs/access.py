"""Who may read which hand-off, and the audit of what was read.

The rule, checked in the back end from the session's identity (never from the page):

- A **superviseur** reads every hand-off: waiting, held by anyone, closed, every
  call-back, in full.
- A **conseiller** reads what is waiting and what they hold:
  - the queue lists every open hand-off with its summary (enough to decide to take
    it); a chat held by a colleague shows who holds it, not its summary;
  - the transcript and messages of a live chat only while they hold it (taken,
    or transferred to them);
  - a waiting call-back's full phone number only by opening that call-back (the
    console's « Afficher le numéro »): the queue shows it masked ("06 •• •• •• 78").
    A call-back is never "taken" before it is made, so opening it is the
    deliberate act, and it is audited;
  - nothing else: not a colleague's chat, not a closed chat, not a finished call-back.
    The console answers 404 for those, as for an id that does not exist, so that
    a conseiller cannot tell the two apart and enumerate ids.
- Flagging a conversation for the trainers (« Signaler à l'atelier ») hands its
  messages to the workbench, so it follows the same line: a conseiller flags a chat
  they hold or held last (closing it does not take that away), a superviseur any;
  anything else is a 404.

Reads are audited without flooding: the console polls a held chat every few
seconds, so a read of a hand-off's transcript or phone number writes one
``handoff_read`` line per agent and hand-off per ``READ_AUDIT_WINDOW`` (30 min). The
window is checked in the audit log itself, so it holds across web processes and
restarts, and a return to a hand-off after a pause is a new line.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.agents import audit
from bot.db.enums import AgentAction, HandoffKind, HandoffState
from bot.db.models import AgentAuditEntry, Handoff, utcnow
from bot.rules.phone import mask_phone

READ_AUDIT_WINDOW = dt.timedelta(minutes=30)
HELD_ELSEWHERE = "Discussion tenue par un autre conseiller."
# What the console answers for a hand-off the agent may not read, as for one that does not exist.
NOT_YOURS = "Cette prise en charge n'existe pas, ou n'est pas la vôtre."


def may_read(handoff: Handoff, agent_id: int, supervisor: bool) -> bool:
    """Whether this agent may read the hand-off's transcript, messages and full phone number."""
    if supervisor:
        return True
    if handoff.state == HandoffState.ACTIVE and handoff.agent_id == agent_id:
        return True
    return handoff.kind == HandoffKind.CALLBACK and handoff.state == HandoffState.WAITING


def may_flag(handoff: Handoff, agent_id: int, supervisor: bool) -> bool:
    """Whether this agent may send the hand-off's conversation to the trainers' review inbox."""
    return supervisor or handoff.agent_id == agent_id


def queue_summary(handoff: Handoff, agent_id: int, supervisor: bool) -> str:
    """The summary the queue shows: a colleague's chat keeps its summary to itself."""
    held_elsewhere = handoff.state == HandoffState.ACTIVE and handoff.agent_id != agent_id
    return HELD_ELSEWHERE if held_elsewhere and not supervisor else handoff.summary


def queue_phone(handoff: Handoff) -> str | None:
    """The queue's phone number, always masked: the full number is read by opening the call-back."""
    return mask_phone(handoff.callback_phone) if handoff.callback_phone else None


def record_read(session: Session, actor: str, handoff: Handoff, now: dt.datetime | None = None) -> bool:
    """Audit a read of the hand-off's transcript or phone number, once per agent and window.

    Returns whether a line was written.
    """
    now = now or utcnow()
    recent = session.scalars(
        select(AgentAuditEntry).where(
            AgentAuditEntry.actor == actor,
            AgentAuditEntry.action == AgentAction.HANDOFF_READ.value,
            AgentAuditEntry.created_at >= now - READ_AUDIT_WINDOW,
        )
    ).all()
    if any((entry.detail or {}).get("prise_en_charge") == handoff.id for entry in recent):
        return False
    audit.record(
        session,
        actor,
        AgentAction.HANDOFF_READ,
        nir_hash=handoff.member_ref,
        now=now,
        prise_en_charge=handoff.id,
        telephone=handoff.callback_phone is not None,
        etat=handoff.state.value,
    )
    return True
