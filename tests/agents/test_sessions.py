"""Signing agents in and out: limits, one answer for every failure, idle and absolute expiry."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from bot.agents import accounts, audit, passwords
from bot.agents.sessions import (
    ABSOLUTE_LIFETIME,
    IDLE_TIMEOUT,
    BadCredentials,
    SignedIn,
    TooManyFailures,
    current_agent,
    failures_counted,
    sign_in,
    sign_out,
    token_hash,
)
from bot.agents.throttle import (
    ADDRESS_WINDOW,
    BASE_DELAY,
    FREE_FAILURES,
    MAX_DELAY,
    MEMORY,
    PER_ADDRESS,
    delay_after,
)
from bot.db.engine import make_engine, session_scope
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


def fail_times(
    engine: Engine, count: int, *, login: str = "claire", client: str = CLIENT, start: dt.datetime = NOW
) -> dt.datetime:
    """``count`` failures, each as soon as the limits allow it; the time of the last one."""
    at = start
    for _ in range(count):
        outcome = attempt(engine, login, "mauvais-mot-de-passe", at, client)
        if isinstance(outcome, TooManyFailures):
            at = outcome.retry_at
            outcome = attempt(engine, login, "mauvais-mot-de-passe", at, client)
        assert outcome == BadCredentials()
        at += dt.timedelta(seconds=1)
    return at - dt.timedelta(seconds=1)


CALL_CENTRE = "e" * 64  # the NAT address every agent of the call centre shares
SECOND = dt.timedelta(seconds=1)


def test_an_outsider_failing_50_times_does_not_stop_the_agent_from_her_own_address(engine: Engine) -> None:
    """The attack of finding 5: wrong passwords for a login, from anywhere, locked its agent out."""
    add_agent(engine, "alice")
    last = fail_times(engine, 50, login="alice", client=OTHER_CLIENT)
    assert isinstance(attempt(engine, "alice", PASSWORD, last, OTHER_CLIENT), TooManyFailures)
    assert isinstance(attempt(engine, "alice", PASSWORD, last, CALL_CENTRE), SignedIn)


def test_failures_of_one_login_behind_the_nat_do_not_block_the_other_agents(engine: Engine) -> None:
    add_agent(engine, "claire")
    add_agent(engine, "marc")
    last = fail_times(engine, FREE_FAILURES, login="claire", client=CALL_CENTRE)
    assert isinstance(attempt(engine, "claire", PASSWORD, last, CALL_CENTRE), TooManyFailures)
    assert isinstance(attempt(engine, "marc", PASSWORD, last, CALL_CENTRE), SignedIn)


def test_the_wait_doubles_with_each_failure_up_to_a_cap(engine: Engine) -> None:
    add_agent(engine)
    assert [delay_after(n) for n in range(FREE_FAILURES)] == [dt.timedelta(0)] * FREE_FAILURES
    assert delay_after(FREE_FAILURES) == BASE_DELAY
    assert delay_after(FREE_FAILURES + 3) == BASE_DELAY * 8
    assert delay_after(FREE_FAILURES + 100) == MAX_DELAY
    last = fail_times(engine, FREE_FAILURES - 1)
    assert isinstance(attempt(engine, "claire", PASSWORD, last + SECOND), SignedIn)  # four cost nothing
    waits = []
    at = last + SECOND
    for _ in range(FREE_FAILURES + 6):
        outcome = attempt(engine, "claire", "mauvais-mot-de-passe", at)
        if isinstance(outcome, TooManyFailures):
            waits.append(outcome.retry_at - at)
            at = outcome.retry_at
            outcome = attempt(engine, "claire", "mauvais-mot-de-passe", at)
        assert outcome == BadCredentials()
    assert waits == [BASE_DELAY * 2**n for n in range(5)] + [MAX_DELAY]


def test_a_blocked_attempt_checks_no_password_and_is_not_counted(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_agent(engine)
    last = fail_times(engine, FREE_FAILURES)
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "hasher", lambda: counting)
    for i in range(3):
        assert attempt(engine, "claire", PASSWORD, last + i * SECOND) == TooManyFailures(last + BASE_DELAY)
    assert counting.verified == 0
    with session_scope(engine) as session:
        assert failures_counted(session, "claire", CLIENT, last + 3 * SECOND) == FREE_FAILURES
    # Audited once for the address and window, not once per refused attempt (no flooding).
    assert [a for _, a, _ in logged(engine)].count("sign_in_limited") == 1


def test_a_success_starts_the_pairs_count_again(engine: Engine) -> None:
    add_agent(engine)
    last = fail_times(engine, FREE_FAILURES)
    assert isinstance(attempt(engine, "claire", PASSWORD, last + BASE_DELAY), SignedIn)
    with session_scope(engine) as session:
        assert failures_counted(session, "claire", CLIENT, last + BASE_DELAY) == 0
    again = fail_times(engine, FREE_FAILURES - 1, start=last + BASE_DELAY + SECOND)
    assert isinstance(attempt(engine, "claire", PASSWORD, again + SECOND), SignedIn)


def test_failures_older_than_a_day_are_forgotten(engine: Engine) -> None:
    add_agent(engine)
    last = fail_times(engine, FREE_FAILURES + 3)
    with session_scope(engine) as session:
        assert failures_counted(session, "claire", CLIENT, NOW + MEMORY - SECOND) == FREE_FAILURES + 3
        assert failures_counted(session, "claire", CLIENT, last + MEMORY + SECOND) == 0


def test_an_unknown_login_is_limited_like_a_real_one(engine: Engine) -> None:
    last = fail_times(engine, FREE_FAILURES, login="fantome")
    assert attempt(engine, "fantome", PASSWORD, last) == TooManyFailures(last + BASE_DELAY)


def test_many_failures_from_one_address_slow_that_address_only(engine: Engine) -> None:
    add_agent(engine, "claire")
    for i in range(PER_ADDRESS):  # one failure each for many logins: no pair is slowed
        assert attempt(engine, f"essai{i}", PASSWORD, NOW + i * SECOND) == BadCredentials()
    later = NOW + PER_ADDRESS * SECOND
    assert attempt(engine, "claire", PASSWORD, later) == TooManyFailures(NOW + ADDRESS_WINDOW)
    # Claire herself, from her own desk, is not locked out by someone else's guessing.
    assert isinstance(attempt(engine, "claire", PASSWORD, later, OTHER_CLIENT), SignedIn)
    assert isinstance(attempt(engine, "claire", PASSWORD, NOW + ADDRESS_WINDOW + SECOND), SignedIn)


def test_the_address_ceiling_is_a_setting_sized_for_a_call_centre(engine: Engine) -> None:
    add_agent(engine, "claire")
    for i in range(PER_ADDRESS - 1):
        attempt(engine, f"essai{i}", PASSWORD, NOW + i * SECOND, CALL_CENTRE)
    with session_scope(engine) as session:
        outcome = sign_in(session, "claire", PASSWORD, CALL_CENTRE, NOW + PER_ADDRESS * SECOND, 10)
    assert isinstance(outcome, TooManyFailures)
    assert isinstance(attempt(engine, "claire", PASSWORD, NOW + PER_ADDRESS * SECOND, CALL_CENTRE), SignedIn)


def test_a_supervisor_unlock_lets_the_agent_in_at_once_and_is_audited(engine: Engine) -> None:
    add_agent(engine)
    last = fail_times(engine, FREE_FAILURES + 4)
    assert isinstance(attempt(engine, "claire", PASSWORD, last), TooManyFailures)
    with session_scope(engine) as session:
        assert accounts.unlock_agent(session, "Claire", actor="cli:sam") == FREE_FAILURES + 4
    assert isinstance(attempt(engine, "claire", PASSWORD, last + SECOND), SignedIn)
    assert ("cli:sam", "agent_unlocked", {"agent": "claire", "echecs_oublies": FREE_FAILURES + 4}) in logged(
        engine
    )


def test_the_counts_are_shared_by_every_web_worker(db_url: str) -> None:
    """Two engines on one database, as two web processes: each sees the other's failures."""
    first, second = make_engine(db_url), make_engine(db_url)
    try:
        add_agent(first)
        for i in range(FREE_FAILURES):
            worker = first if i % 2 else second
            assert attempt(worker, "claire", "mauvais-mot-de-passe", NOW + i * SECOND) == BadCredentials()
        last = NOW + (FREE_FAILURES - 1) * SECOND
        assert attempt(first, "claire", PASSWORD, last + SECOND) == TooManyFailures(last + BASE_DELAY)
        assert attempt(second, "claire", PASSWORD, last + SECOND) == TooManyFailures(last + BASE_DELAY)
        assert isinstance(attempt(second, "claire", PASSWORD, last + BASE_DELAY), SignedIn)
    finally:
        first.dispose()
        second.dispose()


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
    outcomes = [
        attempt(engine, "claire", "mauvais-mot-de-passe", NOW + i * dt.timedelta(seconds=10), OTHER_CLIENT)
        for i in range(30)
    ]
    on_claire = [a for actor, a, _ in logged(engine) if actor == "claire"]
    # Every password actually tried is audited (the throttling bounds them: 8 of 30 here),
    # the refusals in between once for the window.
    assert on_claire.count("sign_in_failed") == outcomes.count(BadCredentials()) < 10
    assert on_claire.count("sign_in_limited") == 1
