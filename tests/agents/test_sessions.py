"""Signing agents in and out: limits, one answer for every failure, idle and absolute expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from bot.agents import accounts, audit, passwords
from bot.agents.sessions import (
    ABSOLUTE_LIFETIME,
    FAILURE_WINDOW,
    IDLE_TIMEOUT,
    MAX_FAILURES,
    BadCredentials,
    SignedIn,
    TooManyFailures,
    current_agent,
    failures_in_window,
    sign_in,
    sign_out,
    token_hash,
)
from bot.db.engine import session_scope
from bot.db.models import AgentSession
from tests.agents.conftest import CLIENT, NOW, OTHER_CLIENT, PASSWORD, add_agent
from tests.agents.test_passwords import CountingHasher

MINUTE = dt.timedelta(minutes=1)


def attempt(
    engine: Engine, login: str, password: str, at: dt.datetime = NOW, client: str = CLIENT
) -> SignedIn | BadCredentials | TooManyFailures:
    with session_scope(engine) as session:
        return sign_in(session, login, password, client, at)


def signed_in(engine: Engine, at: dt.datetime = NOW) -> str:
    outcome = attempt(engine, "claire", PASSWORD, at)
    assert isinstance(outcome, SignedIn)
    return outcome.token


def who(engine: Engine, token: str | None, at: dt.datetime) -> str | None:
    with session_scope(engine) as session:
        agent = current_agent(session, token, at)
        return agent.login if agent else None


def logged(engine: Engine) -> list[tuple[str, str, dict[str, object]]]:
    with session_scope(engine) as session:
        return [(e.actor, e.action, e.detail) for e in audit.entries(session) if e.action != "agent_added"]


def test_the_right_password_opens_a_session_known_only_by_its_hash(engine: Engine) -> None:
    add_agent(engine)
    outcome = attempt(engine, "  CLAIRE ", PASSWORD)
    assert isinstance(outcome, SignedIn) and outcome.agent.login == "claire"
    assert who(engine, outcome.token, NOW + MINUTE) == "claire"
    with session_scope(engine) as session:
        stored = session.scalars(select(AgentSession)).one()
        assert stored.token_hash == token_hash(outcome.token) != outcome.token
        assert accounts.find_agent(session, "claire").last_sign_in_at == NOW  # type: ignore[union-attr]
    assert logged(engine) == [("claire", "sign_in", {})]


def test_each_sign_in_gets_its_own_token(engine: Engine) -> None:
    add_agent(engine)
    first, second = signed_in(engine), signed_in(engine)
    assert first != second and len(first) >= 40
    assert who(engine, first, NOW) == who(engine, second, NOW) == "claire"


def test_unknown_login_wrong_password_and_disabled_account_get_the_same_answer(engine: Engine) -> None:
    add_agent(engine, "claire")
    add_agent(engine, "marc")
    with session_scope(engine) as session:
        accounts.disable_agent(session, "marc", actor="cli:x")
    answers = [
        attempt(engine, "fantome", PASSWORD),
        attempt(engine, "claire", PASSWORD + "!"),
        attempt(engine, "marc", PASSWORD),
    ]
    assert answers == [BadCredentials()] * 3
    # The audit log, which only supervisors read, keeps the reason.
    failed = [(actor, detail) for actor, action, detail in logged(engine) if action == "sign_in_failed"]
    client = CLIENT[:16]
    assert failed == [
        ("anonyme", {"raison": "inconnu", "client": client}),
        ("claire", {"raison": "mot_de_passe", "client": client}),
        ("marc", {"raison": "desactive", "client": client}),
    ]


def test_an_unknown_login_costs_a_password_verification_too(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "hasher", lambda: counting)
    attempt(engine, "fantome", PASSWORD)
    assert counting.verified == 1


def fail_times(engine: Engine, count: int, *, login: str = "claire", client: str = CLIENT) -> None:
    for i in range(count):
        assert attempt(engine, login, "mauvais-mot-de-passe", NOW + i * MINUTE, client) == BadCredentials()


def test_five_failures_for_a_login_block_it_until_the_first_leaves_the_window(engine: Engine) -> None:
    add_agent(engine)
    fail_times(engine, MAX_FAILURES)
    later = NOW + 10 * MINUTE
    blocked = attempt(engine, "claire", PASSWORD, later)
    assert blocked == TooManyFailures(retry_at=NOW + FAILURE_WINDOW)
    # Even from another address: the limit is the login's.
    assert attempt(engine, "Claire", PASSWORD, later, OTHER_CLIENT) == TooManyFailures(NOW + FAILURE_WINDOW)
    just_before = NOW + FAILURE_WINDOW - dt.timedelta(seconds=1)
    assert isinstance(attempt(engine, "claire", PASSWORD, just_before), TooManyFailures)
    assert isinstance(attempt(engine, "claire", PASSWORD, NOW + FAILURE_WINDOW), SignedIn)
    # One line per address and window, not one per refused attempt.
    assert [(actor, a) for actor, a, _ in logged(engine) if a == "sign_in_limited"] == [
        ("claire", "sign_in_limited"),
        ("claire", "sign_in_limited"),
    ]


def test_four_failures_do_not_block(engine: Engine) -> None:
    add_agent(engine)
    fail_times(engine, MAX_FAILURES - 1)
    assert isinstance(attempt(engine, "claire", PASSWORD, NOW + 5 * MINUTE), SignedIn)


def test_failures_older_than_the_window_do_not_count(engine: Engine) -> None:
    add_agent(engine)
    fail_times(engine, MAX_FAILURES)
    with session_scope(engine) as session:
        assert failures_in_window(session, "claire", NOW + 5 * MINUTE) == MAX_FAILURES
        assert failures_in_window(session, "claire", NOW + FAILURE_WINDOW + 2 * MINUTE) == MAX_FAILURES - 3
    assert isinstance(attempt(engine, "claire", PASSWORD, NOW + FAILURE_WINDOW + 4 * MINUTE), SignedIn)


def test_a_blocked_attempt_checks_no_password_and_is_not_counted(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_agent(engine)
    fail_times(engine, MAX_FAILURES)
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "hasher", lambda: counting)
    for i in range(3):
        assert isinstance(
            attempt(engine, "claire", "autre-essai-encore", NOW + (5 + i) * MINUTE), TooManyFailures
        )
    assert counting.verified == 0
    with session_scope(engine) as session:
        assert failures_in_window(session, "claire", NOW + 8 * MINUTE) == MAX_FAILURES


def test_an_unknown_login_is_limited_like_a_real_one(engine: Engine) -> None:
    fail_times(engine, MAX_FAILURES, login="fantome")
    assert attempt(engine, "fantome", PASSWORD, NOW + 6 * MINUTE) == TooManyFailures(NOW + FAILURE_WINDOW)


def test_five_failures_from_one_address_block_that_address_for_every_login(engine: Engine) -> None:
    add_agent(engine, "claire")
    for i, login in enumerate(["a1", "b2", "c3", "d4", "e5"]):
        assert attempt(engine, login, PASSWORD, NOW + i * MINUTE) == BadCredentials()
    later = NOW + 6 * MINUTE
    assert attempt(engine, "claire", PASSWORD, later) == TooManyFailures(NOW + FAILURE_WINDOW)
    # Claire herself, from her own desk, is not locked out by someone else's guessing.
    assert isinstance(attempt(engine, "claire", PASSWORD, later, OTHER_CLIENT), SignedIn)


def test_when_both_limits_hold_the_later_retry_time_is_given(engine: Engine) -> None:
    add_agent(engine, "claire")
    for i in range(MAX_FAILURES):  # the address fails first, on other logins
        attempt(engine, f"autre{i}", PASSWORD, NOW + i * MINUTE)
    for i in range(MAX_FAILURES):  # then claire's login fails from elsewhere
        attempt(engine, "claire", "faux-faux-faux", NOW + (3 + i) * MINUTE, OTHER_CLIENT)
    assert attempt(engine, "claire", PASSWORD, NOW + 8 * MINUTE) == TooManyFailures(
        NOW + 3 * MINUTE + FAILURE_WINDOW
    )


def test_a_session_ends_after_thirty_minutes_idle(engine: Engine) -> None:
    add_agent(engine)
    token = signed_in(engine)
    assert who(engine, token, NOW + IDLE_TIMEOUT - dt.timedelta(seconds=1)) == "claire"
    token2 = signed_in(engine)
    assert who(engine, token2, NOW + IDLE_TIMEOUT) is None
    # Once closed, it stays closed.
    assert who(engine, token2, NOW + IDLE_TIMEOUT + MINUTE) is None
    assert ("claire", "session_expired", {}) in logged(engine)


def test_activity_keeps_a_session_alive(engine: Engine) -> None:
    add_agent(engine)
    token = signed_in(engine)
    for minutes in (20, 40, 60, 80):
        assert who(engine, token, NOW + minutes * MINUTE) == "claire"
    assert who(engine, token, NOW + 80 * MINUTE + IDLE_TIMEOUT - MINUTE) == "claire"


def test_a_session_ends_after_eight_hours_even_when_active(engine: Engine) -> None:
    add_agent(engine)
    token = signed_in(engine)
    at = NOW
    while at + 20 * MINUTE < NOW + ABSOLUTE_LIFETIME:
        at += 20 * MINUTE
        assert who(engine, token, at) == "claire"
    assert who(engine, token, NOW + ABSOLUTE_LIFETIME - dt.timedelta(seconds=1)) == "claire"
    assert who(engine, token, NOW + ABSOLUTE_LIFETIME) is None


def test_a_disabled_account_loses_its_session(engine: Engine) -> None:
    add_agent(engine)
    token = signed_in(engine)
    with session_scope(engine) as session:
        accounts.find_agent(session, "claire").active = False  # type: ignore[union-attr]
    assert who(engine, token, NOW + MINUTE) is None


@pytest.mark.parametrize("token", [None, "", "pas-un-jeton-connu", "x" * 129])
def test_no_token_or_an_unknown_one_is_nobody(engine: Engine, token: str | None) -> None:
    add_agent(engine)
    signed_in(engine)
    assert who(engine, token, NOW) is None


def test_sign_out_ends_the_session_and_is_audited(engine: Engine) -> None:
    add_agent(engine)
    token, other = signed_in(engine), signed_in(engine)
    with session_scope(engine) as session:
        agent = sign_out(session, token, NOW + MINUTE)
        assert agent is not None and agent.login == "claire"
    assert who(engine, token, NOW + 2 * MINUTE) is None
    assert who(engine, other, NOW + 2 * MINUTE) == "claire"  # only that browser is signed out
    with session_scope(engine) as session:
        assert sign_out(session, token, NOW + 3 * MINUTE) is None
        assert sign_out(session, None, NOW + 3 * MINUTE) is None
    assert [a for _, a, _ in logged(engine)].count("sign_out") == 1


def test_a_flood_of_refused_sign_ins_writes_no_chosen_name_and_few_lines(engine: Engine) -> None:
    """Issue 20 #8: 30 refused sign-ins wrote 30 audit lines whose actor the caller chose."""
    add_agent(engine)
    chosen = [f'=HYPERLINK("http://x")-{i}' for i in range(30)]
    for i, login in enumerate(chosen):
        attempt(engine, login, "mauvais-mot-de-passe", NOW + i * dt.timedelta(seconds=10))
    lines = logged(engine)
    assert not {actor for actor, _, _ in lines} - {"anonyme"}
    assert not any("HYPERLINK" in str(detail) for _, _, detail in lines)
    assert len(lines) <= 2  # one failure line and one limit line for this address and window
    # A real account under attack is still visible to supervisors, under its own login.
    for i in range(30):
        attempt(engine, "claire", "mauvais-mot-de-passe", NOW + i * dt.timedelta(seconds=10), OTHER_CLIENT)
    on_claire = [a for actor, a, _ in logged(engine) if actor == "claire"]
    assert on_claire.count("sign_in_failed") == MAX_FAILURES
    assert on_claire.count("sign_in_limited") == 1
