"""What each outcome of a request for a new code is called and said: one table, two audiences.

A request is asked for by the member in the chat or by an agent on their behalf in
the console (``bot.resets.service``); both get the same outcomes
(``bot.resets.requests``) and are told of them from ``WORDING``, side by side:

- the member, by the bot: a response of the domain (``domain/responses/``, which
  trainers reword) and the values of its placeholders;
- the agent, in the console: a sentence about the member ("cet adhérent"), and the
  short code the console's JSON and the agents' audit log carry.

The voices differ on purpose (the bot says "vous", the console speaks of the member),
the facts and dates do not: every value is computed once, by ``values_of``.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Literal

from bot.db.enums import ResetChannel
from bot.resets.requests import (
    AlreadyOnItsWay,
    EmailQueued,
    LetterQueued,
    LimitReached,
    LimitScope,
    ResetOutcome,
)
from bot.rules import french_time


class OutcomeKind(enum.Enum):
    EMAIL_QUEUED = "email_queued"
    LETTER_QUEUED = "letter_queued"
    EMAIL_ON_ITS_WAY = "email_on_its_way"
    LETTER_ON_ITS_WAY = "letter_on_its_way"
    MEMBER_LIMIT = "member_limit"
    CLIENT_LIMIT = "client_limit"
    EVERYONE_LIMIT = "everyone_limit"


# What the console's JSON and the agents' audit log call each outcome.
OutcomeCode = Literal["email_en_file", "courrier_demande", "deja_en_route", "limite_atteinte"]


@dataclass(frozen=True)
class Wording:
    """How one kind of outcome is told to each audience."""

    # The ``resultat`` of the console's answer and of the audit line.
    code: OutcomeCode
    # The response of the domain the bot utters to the member, and its placeholders.
    member_response: str
    member_values: tuple[str, ...]
    # The console's sentence for the agent; ``{placeholders}`` from ``values_of``.
    agent_text: str


_TOO_MANY_FOR_EVERYONE = "Trop de demandes en ce moment, pour tout le monde : réessayez {retry_after}."

WORDING: dict[OutcomeKind, Wording] = {
    OutcomeKind.EMAIL_QUEUED: Wording(
        "email_en_file",
        "utter_reset_email_queued",
        ("masked_email", "ttl_minutes"),
        "E-mail de réinitialisation mis en file d'envoi vers {masked_email}.",
    ),
    OutcomeKind.LETTER_QUEUED: Wording(
        "courrier_demande",
        "utter_reset_letter_queued",
        ("expected_by",),
        "Courrier demandé : il arrivera au plus tard le {expected_by}.",
    ),
    OutcomeKind.EMAIL_ON_ITS_WAY: Wording(
        "deja_en_route",
        "utter_reset_email_on_its_way",
        ("email_state", "masked_email", "requested_at"),
        "Rien de nouveau envoyé : un e-mail demandé {requested_at} est encore en route.",
    ),
    OutcomeKind.LETTER_ON_ITS_WAY: Wording(
        "deja_en_route",
        "utter_reset_letter_on_its_way",
        ("requested_at", "expected_by"),
        "Rien de nouveau envoyé : un courrier demandé {requested_at} est en route{due}.",
    ),
    OutcomeKind.MEMBER_LIMIT: Wording(
        "limite_atteinte",
        "utter_reset_daily_limit",
        ("retry_after",),
        "Limite de demandes atteinte pour cet adhérent : nouvelle demande possible {retry_after}.",
    ),
    # The member's limits per connection and for everyone: an agent is only ever held by
    # the latter (bot.resets.requests), and tells the member the same in both cases.
    OutcomeKind.CLIENT_LIMIT: Wording(
        "limite_atteinte", "utter_reset_client_limited", ("retry_after",), _TOO_MANY_FOR_EVERYONE
    ),
    OutcomeKind.EVERYONE_LIMIT: Wording(
        "limite_atteinte", "utter_lookup_paused", ("retry_after",), _TOO_MANY_FOR_EVERYONE
    ),
}

# An agent asked for an email for a member without an address (``service.NoEmailOnFile``);
# the member never can: the database chooses their channel.
NO_EMAIL_ON_FILE = "Aucune adresse e-mail n'est connue pour cet adhérent : seul le courrier est possible."
NO_EMAIL_CODE = "pas_d_email"

_LIMIT_KINDS = {
    LimitScope.MEMBER: OutcomeKind.MEMBER_LIMIT,
    LimitScope.CLIENT: OutcomeKind.CLIENT_LIMIT,
    LimitScope.EVERYONE: OutcomeKind.EVERYONE_LIMIT,
}


def kind_of(outcome: ResetOutcome) -> OutcomeKind:
    if isinstance(outcome, EmailQueued):
        return OutcomeKind.EMAIL_QUEUED
    if isinstance(outcome, LetterQueued):
        return OutcomeKind.LETTER_QUEUED
    if isinstance(outcome, AlreadyOnItsWay):
        if outcome.channel == ResetChannel.EMAIL:
            return OutcomeKind.EMAIL_ON_ITS_WAY
        return OutcomeKind.LETTER_ON_ITS_WAY
    if isinstance(outcome, LimitReached):
        return _LIMIT_KINDS[outcome.scope]
    raise TypeError(f"unknown outcome {outcome!r}")


def values_of(outcome: ResetOutcome, now: dt.datetime, ttl_minutes: int = 0) -> dict[str, str]:
    """Every value either audience's wording of ``outcome`` may name, in French."""
    if isinstance(outcome, EmailQueued):
        return {"masked_email": outcome.masked_email, "ttl_minutes": str(ttl_minutes)}
    if isinstance(outcome, LetterQueued):
        return {"expected_by": french_time.day(outcome.expected_by)}
    if isinstance(outcome, AlreadyOnItsWay):
        expected = french_time.day(outcome.expected_by) if outcome.expected_by else ""
        return {
            "requested_at": french_time.moment(outcome.requested_at, now),
            "masked_email": outcome.masked_email or "",
            "email_state": "a été envoyé à" if outcome.email_sent else "est en cours d'envoi vers",
            "expected_by": expected,
            "due": f", attendu au plus tard le {expected}" if expected else "",
        }
    if isinstance(outcome, LimitReached):
        if outcome.scope is LimitScope.MEMBER:
            return {"retry_after": french_time.moment(outcome.retry_after, now)}
        return {"retry_after": french_time.retry_when(outcome.retry_after, now)}
    raise TypeError(f"unknown outcome {outcome!r}")


def member_words(outcome: ResetOutcome, ttl_minutes: int, now: dt.datetime) -> tuple[str, dict[str, str]]:
    """The domain's response for the member and exactly the values of its placeholders."""
    wording = WORDING[kind_of(outcome)]
    values = values_of(outcome, now, ttl_minutes)
    return wording.member_response, {name: values[name] for name in wording.member_values}


def agent_words(outcome: ResetOutcome, now: dt.datetime) -> tuple[OutcomeCode, str]:
    """The console's code and sentence for the agent who asked on the member's behalf."""
    wording = WORDING[kind_of(outcome)]
    return wording.code, wording.agent_text.format(**values_of(outcome, now))
