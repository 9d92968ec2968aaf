"""Presence that follows the agent: « disponible » counts only while the console is open (#21, item 1)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from bot.agents import audit
from bot.agents.presence import CONSOLE_GONE, console_alive_for, heartbeat_seconds, write_every
from bot.agents.sessions import IDLE_TIMEOUT, SignedIn, current_agent, sign_in, sign_out
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.db.models import Agent, AgentSession
from bot.handoffs.queue import available_agents
from tests.agents.conftest import CLIENT, NOW, PASSWORD, add_agent

PRESENCE = dt.timedelta(seconds=60)
SECOND = dt.timedelta(seconds=1)


@pytest.fixture
def token(engine: Engine) -> str:
    add_agent(engine)
    return open_session(engine, NOW)


def open_session(engine: Engine, at: dt.datetime) -> str:
    with session_scope(engine) as session:
        outcome = sign_in(session, "claire", PASSWORD, CLIENT, at)
        assert isinstance(outcome, SignedIn)
        return outcome.token


def console_read(engine: Engine, token: str, at: dt.datetime) -> bool:
    """What the console's queue read does: its sign of life."""
    with session_scope(engine) as session:
        return console_alive_for(session, token, at, PRESENCE)


def set_available(engine: Engine, wanted: bool = True) -> None:
    with session_scope(engine) as session:
        agent = session.scalars(select(Agent).where(Agent.login == "claire")).one()
        agent.available = wanted


def counted(engine: Engine, at: dt.datetime) -> int:
    with session_scope(engine) as session:
        return available_agents(session, at, PRESENCE)


def is_available(engine: Engine) -> bool:
    with session_scope(engine) as session:
        return session.scalars(select(Agent.available).where(Agent.login == "claire")).one()


def test_an_agent_counts_only_while_their_console_shows_a_sign_of_life(engine: Engine, token: str) -> None:
    set_available(engine)
    assert counted(engine, NOW) == 0  # signed in, « disponible », but no console has read the queue
    console_read(engine, token, NOW)
    assert counted(engine, NOW + PRESENCE - SECOND) == 1
    # The console was closed without signing out: no more sign of life, no more members.
    assert counted(engine, NOW + PRESENCE + SECOND) == 0
    # Its session is still alive for 30 minutes: that is not presence.
    with session_scope(engine) as session:
        assert current_agent(session, token, NOW + PRESENCE + SECOND, touch=False) is not None


def test_an_open_console_stays_present_with_few_writes(engine: Engine, token: str) -> None:
    set_available(engine)
    console_read(engine, token, NOW)
    at = NOW
    for _ in range(10):  # a read every 20 s for three minutes
        at += dt.timedelta(seconds=20)
        assert console_read(engine, token, at) is False
        assert counted(engine, at) == 1
    assert counted(engine, at + PRESENCE - SECOND) == 1
    # Reads closer together than write_every leave the row alone.
    with session_scope(engine) as session:
        seen = session.scalars(select(AgentSession.console_seen_at)).one()
    console_read(engine, token, at + write_every(PRESENCE) - SECOND)
    with session_scope(engine) as session:
        assert session.scalars(select(AgentSession.console_seen_at)).one() == seen


def test_a_console_back_after_an_absence_finds_the_agent_unavailable(engine: Engine, token: str) -> None:
    console_read(engine, token, NOW)
    set_available(engine)
    back = NOW + PRESENCE + dt.timedelta(minutes=5)  # closed, then reopened within the session
    assert console_read(engine, token, back) is True
    assert is_available(engine) is False and counted(engine, back) == 0
    with session_scope(engine) as session:
        lines = audit.entries(session, actor="claire")
        gone = [line for line in lines if line.action == AgentAction.AVAILABILITY_CHANGED.value]
        assert gone and gone[-1].detail == {"disponible": False, "raison": CONSOLE_GONE}
    # A reload within the presence keeps it.
    set_available(engine)
    assert console_read(engine, token, back + dt.timedelta(seconds=30)) is False
    assert is_available(engine) is True


def test_a_second_open_console_keeps_the_agent_available(engine: Engine, token: str) -> None:
    console_read(engine, token, NOW)
    set_available(engine)
    other = open_session(engine, NOW + dt.timedelta(minutes=1))  # signing in again…
    assert is_available(engine) is False  # …starts « indisponible », whatever it was
    set_available(engine)
    at = NOW + dt.timedelta(minutes=1)
    for step in range(1, 6):
        console_read(engine, other, at + step * dt.timedelta(seconds=20))
    # The first browser's console comes back after a gap: the other one is open, nothing changes.
    assert console_read(engine, token, at + dt.timedelta(seconds=100)) is False
    assert is_available(engine) is True


def test_signing_out_and_expiry_turn_availability_off(engine: Engine, token: str) -> None:
    console_read(engine, token, NOW)
    set_available(engine)
    with session_scope(engine) as session:
        assert sign_out(session, token, NOW + SECOND) is not None
    assert is_available(engine) is False and counted(engine, NOW + SECOND) == 0

    later = NOW + dt.timedelta(hours=1)
    token = open_session(engine, later)
    console_read(engine, token, later)
    set_available(engine)
    with session_scope(engine) as session:
        assert current_agent(session, token, later + IDLE_TIMEOUT + SECOND) is None  # expired
    assert is_available(engine) is False


def test_signing_out_one_session_keeps_another_live_one_available(engine: Engine, token: str) -> None:
    other = open_session(engine, NOW + SECOND)
    console_read(engine, other, NOW + SECOND)
    set_available(engine)
    with session_scope(engine) as session:
        sign_out(session, token, NOW + 2 * SECOND)
    assert is_available(engine) is True and counted(engine, NOW + 2 * SECOND) == 1


def test_an_unknown_or_ended_session_is_no_sign_of_life(engine: Engine, token: str) -> None:
    assert console_read(engine, "pas-un-jeton", NOW) is False
    assert console_read(engine, "x" * 200, NOW) is False
    with session_scope(engine) as session:
        sign_out(session, token, NOW)
    console_read(engine, token, NOW + SECOND)
    with session_scope(engine) as session:
        assert session.scalars(select(AgentSession.console_seen_at)).one() is None


def test_the_heartbeat_is_a_third_of_the_presence_and_writes_are_spaced() -> None:
    assert heartbeat_seconds(PRESENCE) == 20
    assert write_every(PRESENCE) == dt.timedelta(seconds=5)
    assert write_every(dt.timedelta(seconds=4)) == SECOND  # short presences (tests) write more often
