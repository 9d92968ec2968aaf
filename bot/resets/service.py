"""Ask for a new access code for a member: one entry point, whoever asks.

The member asks in the chat (the action server, ``actions/reset.py``); an agent asks
on the member's behalf in the console (``bot.web.routes``). Both go through
``ask_for_new_code``, so the same limits, the same "already on its way" and the
same outbox apply, and both are told of the outcome from one table
(``bot.resets.wording``). Who asks decides only what they may choose:

- the member (``ByMember``): the database chooses the channel (email if known,
  letter otherwise); their connection's limits and everyone's hold;
- an agent (``ByAgent``): they choose the channel, and the request is recorded in
  their name; everyone's limit holds. An email for a member without an address is
  refused before anything is written (``NoEmailOnFile``).

Runs in the caller's unit of work; finding the member is the caller's (by the
keyed hash in the chat, by the typed number in the console).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import overload

from sqlalchemy.orm import Session

from bot.db.enums import ResetChannel
from bot.db.models import Member
from bot.resets.requests import ResetOutcome, request_reset


@dataclass(frozen=True)
class ByMember:
    """The member in the chat, known by the keyed hash of their client (``bot.limits.clients``)."""

    client: str


@dataclass(frozen=True)
class ByAgent:
    """An agent of the console, for the member, by the channel they chose and confirmed."""

    agent_id: int
    channel: ResetChannel


@dataclass(frozen=True)
class NoEmailOnFile:
    """An email was asked for a member whose address is unknown: nothing was written."""


Requester = ByMember | ByAgent


@overload
def ask_for_new_code(
    session: Session, member: Member, by: ByMember, now: dt.datetime, per_minute: int
) -> ResetOutcome: ...


@overload
def ask_for_new_code(
    session: Session, member: Member, by: ByAgent, now: dt.datetime, per_minute: int
) -> ResetOutcome | NoEmailOnFile: ...


def ask_for_new_code(
    session: Session, member: Member, by: Requester, now: dt.datetime, per_minute: int
) -> ResetOutcome | NoEmailOnFile:
    """Record the request of ``by`` for ``member`` within the limits (``per_minute``: everyone's)."""
    if isinstance(by, ByAgent):
        if by.channel == ResetChannel.EMAIL and not member.email:
            return NoEmailOnFile()
        return request_reset(
            session, member, now, channel=by.channel, agent_id=by.agent_id, per_minute=per_minute
        )
    return request_reset(session, member, now, by.client, per_minute=per_minute)
