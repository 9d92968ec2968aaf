"""Open a member's file and ask for a new code on their behalf, however the agent named the member.

Two doors lead to the same file: the NIR the member reads out
(``bot.web.routes.console_members``) and the hand-off whose conversation checked the
number (``bot.web.routes.console_handoff_member``, where the number never travels).
Both go through these two functions, so that the same limits and the same audit
hold whichever door was used: the agent's hourly look-ups
(``bot.agents.lookup_limit``), the member's daily requests (``bot.resets.service``),
one audit line per look-up or request under the agent's login, refusals included.

``find`` is the door: it returns the member in the request's unit of work, or raises
a ``ConsoleError`` whose ``code`` (and ``nir_hash`` when the number was a NIR) goes
to the audit line of the refusal. ``handoff_id``, when the file was opened from a
hand-off, is named on every audit line (``prise_en_charge``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypedDict

from sqlalchemy.orm import Session

from bot.agents import audit
from bot.agents.lookup_limit import check_agent_lookups
from bot.agents.member_file import file_of
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, ResetChannel
from bot.db.models import Member, utcnow
from bot.resets.service import ByAgent, NoEmailOnFile, ask_for_new_code
from bot.resets.wording import NO_EMAIL_CODE, NO_EMAIL_ON_FILE, agent_words
from bot.rules import french_time
from bot.web.deps import AgentIdentity, ConsoleError
from bot.web.schemas.console import MemberView, ResetDone
from bot.web.state import WebConfig

NOT_CONFIRMED = "Confirmez l'envoi en nommant le canal choisi (e-mail ou courrier)."
CHANNEL_WORDS: dict[str, ResetChannel] = {"email": ResetChannel.EMAIL, "courrier": ResetChannel.LETTER}

FindMember = Callable[[Session], Member]


class _Through(TypedDict, total=False):
    """What every audit line of a look-up adds: the hand-off it was made from, if any."""

    prise_en_charge: int


def _through(handoff_id: int | None) -> _Through:
    return {} if handoff_id is None else {"prise_en_charge": handoff_id}


def within_agent_limit(config: WebConfig, agent: AgentIdentity) -> None:
    """429 once the agent has opened AGENT_LOOKUPS_PER_HOUR files in the last hour.

    Checked in a unit of work of its own, so that the supervisors' alert it may write
    is kept although the request is refused.
    """
    now = utcnow()
    with session_scope(config.engine) as session:
        reached = check_agent_lookups(session, agent.login, config.settings.agent_lookups_per_hour, now)
    if reached is not None:
        seconds = max(1, int((reached.retry_at - now).total_seconds()))
        raise ConsoleError(
            429,
            f"Vous avez ouvert {reached.per_hour} dossiers en une heure : c'est la limite. "
            f"Prochain dossier possible {french_time.retry_when(reached.retry_at, now)} ; "
            "un superviseur en est informé.",
            headers={"Retry-After": str(seconds)},
        )


def audit_refusal(
    config: WebConfig,
    agent: AgentIdentity,
    action: AgentAction,
    refused: ConsoleError,
    handoff_id: int | None = None,
) -> None:
    """A refused look-up is audited too, in its own unit of work (the request's was rolled back).

    An unknown member is recorded with the keyed hash of the number (a valid NIR), so
    that a supervisor sees which numbers an agent tried; a malformed number has none.
    """
    if refused.code:
        with session_scope(config.engine) as session:
            audit.record(
                session,
                agent.login,
                action,
                nir_hash=refused.nir_hash,
                resultat=refused.code,
                **_through(handoff_id),
            )


def open_member_file(
    config: WebConfig, agent: AgentIdentity, find: FindMember, handoff_id: int | None = None
) -> MemberView:
    """The member's file as the agent may read it (full email for a superviseur), audited."""
    within_agent_limit(config, agent)
    try:
        with session_scope(config.engine) as session:
            member = find(session)
            file = file_of(session, member, full_email=agent.is_supervisor, now=utcnow())
            audit.record(
                session,
                agent.login,
                AgentAction.MEMBER_LOOKUP,
                nir_hash=member.nir_hash,
                resultat="trouve",
                email_complet=file.email_is_full,
                **_through(handoff_id),
            )
            return MemberView.of(file)
    except ConsoleError as refused:
        audit_refusal(config, agent, AgentAction.MEMBER_LOOKUP, refused, handoff_id)
        raise


def send_new_code(
    config: WebConfig,
    agent: AgentIdentity,
    find: FindMember,
    channel: str,
    confirmation: str,
    handoff_id: int | None = None,
) -> ResetDone:
    """A new code by ``channel`` once the agent confirmed it by naming it; the member's limits apply."""
    if confirmation.strip().lower() != channel:
        raise ConsoleError(400, NOT_CONFIRMED)
    by = ByAgent(agent.id, CHANNEL_WORDS[channel])
    within_agent_limit(config, agent)
    try:
        with session_scope(config.engine) as session:
            member = find(session)
            now = utcnow()
            outcome = ask_for_new_code(session, member, by, now, config.settings.reset_requests_per_minute)
            if isinstance(outcome, NoEmailOnFile):
                raise ConsoleError(422, NO_EMAIL_ON_FILE, code=NO_EMAIL_CODE)
            code, message = agent_words(outcome, now)
            audit.record(
                session,
                agent.login,
                AgentAction.RESET_ON_BEHALF,
                nir_hash=member.nir_hash,
                canal=channel,
                resultat=code,
                **_through(handoff_id),
            )
            session.flush()
            file = file_of(session, member, full_email=agent.is_supervisor, now=now)
            return ResetDone(resultat=code, message=message, dossier=MemberView.of(file))
    except ConsoleError as refused:
        audit_refusal(config, agent, AgentAction.RESET_ON_BEHALF, refused, handoff_id)
        raise
