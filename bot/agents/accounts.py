"""Agents' accounts: add, list, disable, reset a password, unlock — each change audited.

Used by ``./sesame agents`` (``bot.cli.agents``). Logins are lower-case letters,
digits, dots, dashes and underscores, so that one never looks like another.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from bot.agents import audit, throttle
from bot.agents.passwords import check_policy, hash_password
from bot.db.enums import AgentAction, AgentRole
from bot.db.models import Agent, AgentSession, utcnow

LOGIN_PATTERN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")


class AccountError(ValueError):
    """The change cannot be made; the message says why, in French."""


def normalise_login(login: str) -> str:
    """The login as stored: stripped, lower-case; ``AccountError`` if it has another shape."""
    cleaned = login.strip().lower()
    if not LOGIN_PATTERN.fullmatch(cleaned):
        raise AccountError(
            "Identifiant invalide : 2 à 64 caractères parmi les lettres minuscules sans accent, "
            "les chiffres, « . », « - » et « _ », en commençant par une lettre ou un chiffre."
        )
    return cleaned


def find_agent(session: Session, login: str) -> Agent | None:
    return session.scalars(select(Agent).where(Agent.login == login.strip().lower())).one_or_none()


def _existing(session: Session, login: str) -> Agent:
    agent = find_agent(session, login)
    if agent is None:
        raise AccountError(f"Aucun conseiller n'a l'identifiant « {login.strip().lower()} ».")
    return agent


def add_agent(
    session: Session,
    login: str,
    password: str,
    *,
    actor: str,
    display_name: str | None = None,
    role: AgentRole = AgentRole.CONSEILLER,
) -> Agent:
    """Create an active account; ``AccountError`` or ``PasswordRefused`` say why not."""
    login = normalise_login(login)
    if find_agent(session, login) is not None:
        raise AccountError(f"L'identifiant « {login} » existe déjà.")
    check_policy(password, login)
    name = (display_name or "").strip() or login
    if len(name) > 100:
        raise AccountError("Nom trop long : 100 caractères au plus.")
    agent = Agent(
        login=login,
        display_name=name,
        password_hash=hash_password(password),
        role=AgentRole(role),
        active=True,
        created_at=utcnow(),
    )
    session.add(agent)
    audit.record(session, actor, AgentAction.AGENT_ADDED, agent=login, role=agent.role.value)
    return agent


def list_agents(session: Session) -> Sequence[Agent]:
    return session.scalars(select(Agent).order_by(Agent.login)).all()


def end_sessions(session: Session, agent: Agent, now: dt.datetime) -> None:
    """Sign the agent out everywhere (their account was disabled or their password reset)."""
    session.execute(
        update(AgentSession)
        .where(AgentSession.agent_id == agent.id, AgentSession.ended_at.is_(None))
        .values(ended_at=now)
    )


def disable_agent(session: Session, login: str, *, actor: str) -> Agent:
    """Disable the account and end its sessions at once; the account and its history stay."""
    agent = _existing(session, login)
    agent.active = False
    end_sessions(session, agent, utcnow())
    audit.record(session, actor, AgentAction.AGENT_DISABLED, agent=agent.login)
    return agent


def reset_password(session: Session, login: str, password: str, *, actor: str) -> Agent:
    """Set a new password (same policy) and end the agent's open sessions."""
    agent = _existing(session, login)
    check_policy(password, agent.login)
    agent.password_hash = hash_password(password)
    end_sessions(session, agent, utcnow())
    audit.record(session, actor, AgentAction.AGENT_PASSWORD_RESET, agent=agent.login)
    return agent


def unlock_agent(session: Session, login: str, *, actor: str) -> int:
    """Forget the login's sign-in failures from every address, so the agent may try at once.

    The way out when an agent is slowed down (``bot.agents.throttle``); how many
    failures were forgotten is audited.
    """
    agent = _existing(session, login)
    forgotten = throttle.clear(session, agent.login)
    audit.record(session, actor, AgentAction.AGENT_UNLOCKED, agent=agent.login, echecs_oublies=forgotten)
    return forgotten
