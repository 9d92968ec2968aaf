"""Agents' accounts: add, list, disable, reset a password; each change audited."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.agents import accounts, audit
from bot.agents.accounts import AccountError
from bot.agents.passwords import PasswordRefused, verify_password
from bot.agents.sessions import BadCredentials, SignedIn, current_agent, sign_in
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from tests.agents.conftest import CLIENT, NOW, OTHER_PASSWORD, PASSWORD, add_agent


def actions(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with session_scope(engine) as session:
        return [(e.actor, e.action, e.detail) for e in audit.entries(session)]


def test_add_stores_an_active_conseiller_with_a_hash_and_audits_it(engine: Engine) -> None:
    with session_scope(engine) as session:
        accounts.add_agent(
            session, "  Claire.Dupont ", PASSWORD, actor="cli:marie", display_name=" Claire D. "
        )
    with session_scope(engine) as session:
        agent = accounts.find_agent(session, "claire.dupont")
        assert agent is not None
        assert (agent.login, agent.display_name, agent.role, agent.active) == (
            "claire.dupont",
            "Claire D.",
            AgentRole.CONSEILLER,
            True,
        )
        assert agent.password_hash != PASSWORD and verify_password(agent.password_hash, PASSWORD)
        assert agent.last_sign_in_at is None
    assert actions(engine) == [("cli:marie", "agent_added", {"agent": "claire.dupont", "role": "conseiller"})]


def test_the_display_name_defaults_to_the_login_and_the_role_can_be_superviseur(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent = accounts.add_agent(session, "marc", PASSWORD, actor="cli:x", role=AgentRole.SUPERVISEUR)
        assert (agent.display_name, agent.role) == ("marc", AgentRole.SUPERVISEUR)


def test_a_login_taken_whatever_its_case_is_refused(engine: Engine) -> None:
    add_agent(engine, "claire")
    with pytest.raises(AccountError, match="L'identifiant « claire » existe déjà"):
        with session_scope(engine) as session:
            accounts.add_agent(session, "CLAIRE", OTHER_PASSWORD, actor="cli:x")
    assert len(actions(engine)) == 1


@pytest.mark.parametrize("login", ["a", "-claire", "clé", "claire dupont", "x" * 65, ""])
def test_a_login_of_another_shape_is_refused(engine: Engine, login: str) -> None:
    with pytest.raises(AccountError, match="Identifiant invalide"):
        with session_scope(engine) as session:
            accounts.add_agent(session, login, PASSWORD, actor="cli:x")


def test_a_refused_password_creates_nothing_and_audits_nothing(engine: Engine) -> None:
    with pytest.raises(PasswordRefused, match="trop court"):
        with session_scope(engine) as session:
            accounts.add_agent(session, "claire", "court", actor="cli:x")
    with session_scope(engine) as session:
        assert accounts.list_agents(session) == []
    assert actions(engine) == []


def test_an_overlong_display_name_is_refused(engine: Engine) -> None:
    with pytest.raises(AccountError, match="Nom trop long"):
        with session_scope(engine) as session:
            accounts.add_agent(session, "claire", PASSWORD, actor="cli:x", display_name="N" * 101)


def test_list_is_in_login_order(engine: Engine) -> None:
    for login in ("zoe", "adele", "marc"):
        add_agent(engine, login)
    with session_scope(engine) as session:
        assert [a.login for a in accounts.list_agents(session)] == ["adele", "marc", "zoe"]


def sign_in_now(engine: Engine, login: str, password: str) -> object:
    with session_scope(engine) as session:
        return sign_in(session, login, password, CLIENT, NOW)


def test_disable_ends_open_sessions_and_refuses_the_next_sign_in(engine: Engine) -> None:
    add_agent(engine, "claire")
    signed = sign_in_now(engine, "claire", PASSWORD)
    assert isinstance(signed, SignedIn)
    with session_scope(engine) as session:
        agent = accounts.disable_agent(session, "Claire", actor="cli:marie")
        assert not agent.active
    with session_scope(engine) as session:
        assert current_agent(session, signed.token, NOW) is None
    assert sign_in_now(engine, "claire", PASSWORD) == BadCredentials()
    assert ("cli:marie", "agent_disabled", {"agent": "claire"}) in actions(engine)


def test_disable_keeps_the_other_agents_sessions(engine: Engine) -> None:
    add_agent(engine, "claire")
    add_agent(engine, "marc")
    marc = sign_in_now(engine, "marc", PASSWORD)
    assert isinstance(marc, SignedIn)
    with session_scope(engine) as session:
        accounts.disable_agent(session, "claire", actor="cli:x")
    with session_scope(engine) as session:
        agent = current_agent(session, marc.token, NOW)
        assert agent is not None and agent.login == "marc"


def test_disable_or_reset_an_unknown_login_says_so(engine: Engine) -> None:
    with pytest.raises(AccountError, match="Aucun conseiller n'a l'identifiant « fantome »"):
        with session_scope(engine) as session:
            accounts.disable_agent(session, "Fantome", actor="cli:x")
    with pytest.raises(AccountError, match="Aucun conseiller"):
        with session_scope(engine) as session:
            accounts.reset_password(session, "fantome", OTHER_PASSWORD, actor="cli:x")


def test_reset_password_replaces_the_old_one_and_ends_open_sessions(engine: Engine) -> None:
    add_agent(engine, "claire")
    signed = sign_in_now(engine, "claire", PASSWORD)
    assert isinstance(signed, SignedIn)
    with session_scope(engine) as session:
        accounts.reset_password(session, "claire", OTHER_PASSWORD, actor="cli:marie")
    with session_scope(engine) as session:
        assert current_agent(session, signed.token, NOW) is None
    assert sign_in_now(engine, "claire", PASSWORD) == BadCredentials()
    assert isinstance(sign_in_now(engine, "claire", OTHER_PASSWORD), SignedIn)
    assert ("cli:marie", "agent_password_reset", {"agent": "claire"}) in actions(engine)


def test_reset_password_applies_the_policy_and_keeps_the_old_password(engine: Engine) -> None:
    add_agent(engine, "claire")
    with pytest.raises(PasswordRefused, match="ne doit pas contenir l'identifiant"):
        with session_scope(engine) as session:
            accounts.reset_password(session, "claire", "claire-nouveau-2026", actor="cli:x")
    assert isinstance(sign_in_now(engine, "claire", PASSWORD), SignedIn)
    # Only these two: the refused reset left no line (the sign-in is dated NOW, the addition
    # by the clock, so their order says nothing).
    assert sorted(a for _, a, _ in actions(engine)) == ["agent_added", "sign_in"]
