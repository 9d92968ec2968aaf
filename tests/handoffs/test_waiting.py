"""What a waiting member is told: an estimate only from real data, and a call-back when it helps."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, update

from bot.db.engine import session_scope
from bot.db.models import Agent, Handoff
from bot.handoffs import queue
from bot.handoffs.leaving import CALLBACK_PAYLOAD, LEAVE_PAYLOAD
from bot.handoffs.waiting import (
    CLOSED,
    MIN_SAMPLES,
    NOBODY,
    OFFER_TEXTS,
    RECENT,
    TOO_LONG,
    WaitPolicy,
    estimate_minutes,
    recent_take_seconds,
    wait_view,
)
from tests.support.on_duty import agent_on_duty, queued_chat

# A Tuesday, 10:00 in Paris.
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
MINUTE = dt.timedelta(minutes=1)
POLICY = WaitPolicy(hours="lun-ven 08:30-18:00", offer_after=5 * MINUTE)


def test_no_estimate_without_enough_recent_data_or_without_an_agent() -> None:
    five = [120.0] * MIN_SAMPLES
    assert estimate_minutes(five[:-1], place=1, agents=1) is None  # too few chats taken
    assert estimate_minutes(five, place=1, agents=0) is None  # nobody to take it
    assert estimate_minutes(five, place=1, agents=1) == 2
    assert estimate_minutes(five, place=3, agents=2) == 3  # 2 min × 3 / 2
    assert estimate_minutes([10.0] * MIN_SAMPLES, place=1, agents=4) == 1  # never « 0 min »
    # The median, not the mean: one chat left waiting an hour does not make up a long wait.
    assert estimate_minutes([60.0, 60.0, 60.0, 60.0, 3600.0], place=1, agents=1) == 1


def taken_chat(engine: Engine, agent_id: int, created: dt.datetime, waited: dt.timedelta, n: int) -> None:
    with session_scope(engine) as session:
        handoff = queued_chat(session, f"fait-{n}", created)
        agent = session.get(Agent, agent_id)
        assert agent is not None
        queue.take(session, handoff.id, agent, created + waited)


def waiting(engine: Engine, created: dt.datetime, conversation: str = "attend") -> int:
    with session_scope(engine) as session:
        return queued_chat(session, conversation, created).id


def view(engine: Engine, handoff_id: int, at: dt.datetime, policy: WaitPolicy = POLICY) -> dict[str, object]:
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        return wait_view(session, handoff, queue.position(session, handoff), policy, at)


def test_the_estimate_comes_from_the_chats_taken_recently(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_id = agent_on_duty(session, NOW).id
    for n in range(MIN_SAMPLES - 1):
        taken_chat(engine, agent_id, NOW - dt.timedelta(hours=2), 4 * MINUTE, n)
    taken_chat(engine, agent_id, NOW - RECENT - dt.timedelta(hours=1), MINUTE, 99)  # too old to count
    first = waiting(engine, NOW - MINUTE)
    assert view(engine, first, NOW) == {"estimation": None, "offre": None}  # four recent chats: nothing said
    taken_chat(engine, agent_id, NOW - dt.timedelta(hours=1), 4 * MINUTE, 5)
    with session_scope(engine) as session:
        assert len(recent_take_seconds(session, NOW)) == MIN_SAMPLES
    assert view(engine, first, NOW)["estimation"] == 4
    second = waiting(engine, NOW, "attend-aussi")
    assert view(engine, second, NOW)["estimation"] == 8  # second in the queue, one agent


def test_nobody_left_is_said_at_once_and_the_place_is_kept(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
    handoff_id = waiting(engine, NOW)
    assert view(engine, handoff_id, NOW)["offre"] is None
    # The last agent's console closes: past the presence, the offer comes with the next read.
    gone = NOW + POLICY.presence + dt.timedelta(seconds=1)
    offer = view(engine, handoff_id, gone)["offre"]
    assert offer == {
        "motif": NOBODY,
        "texte": OFFER_TEXTS[NOBODY],
        "boutons": [
            {"title": "Être rappelé(e)", "payload": CALLBACK_PAYLOAD},
            {"title": "Quitter la file", "payload": LEAVE_PAYLOAD},
        ],
    }
    assert "gardez votre place" in OFFER_TEXTS[NOBODY]
    with session_scope(engine) as session:  # still in the queue, first
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None and queue.position(session, handoff) == 1
    # Someone comes back: the offer goes, the member is still first.
    with session_scope(engine) as session:
        agent_on_duty(session, gone, login="bruno")
    assert view(engine, handoff_id, gone)["offre"] is None


def test_an_agent_going_unavailable_is_nobody_too(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
    handoff_id = waiting(engine, NOW)
    with session_scope(engine) as session:
        session.execute(update(Agent).values(available=False))
    assert view(engine, handoff_id, NOW)["offre"]["motif"] == NOBODY  # type: ignore[index]


def test_a_long_wait_brings_the_offer_and_the_hours_ending_too(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW + 5 * MINUTE)
    handoff_id = waiting(engine, NOW)
    assert view(engine, handoff_id, NOW + 5 * MINUTE - dt.timedelta(seconds=1))["offre"] is None
    assert view(engine, handoff_id, NOW + 5 * MINUTE)["offre"]["motif"] == TOO_LONG  # type: ignore[index]
    never = WaitPolicy(hours=POLICY.hours, offer_after=None)  # HANDOFF_WAIT_OFFER_SECONDS=0
    assert view(engine, handoff_id, NOW + 5 * MINUTE, never)["offre"] is None
    evening = dt.datetime(2026, 12, 1, 17, 30, tzinfo=dt.timezone.utc)  # 18:30 in Paris
    with session_scope(engine) as session:
        agent_on_duty(session, evening, login="bruno")
    assert view(engine, handoff_id, evening, never)["offre"]["motif"] == CLOSED  # type: ignore[index]


def test_only_a_waiting_live_chat_has_these_facts(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_id = agent_on_duty(session, NOW).id
    handoff_id = waiting(engine, NOW)
    with session_scope(engine) as session:
        holder = session.get(Agent, agent_id)
        assert holder is not None
        queue.take(session, handoff_id, holder, NOW)
    assert view(engine, handoff_id, NOW) == {}


def test_the_policy_comes_from_the_settings() -> None:
    policy = WaitPolicy.of("lun-ven 08:30-18:00", 45, 0)
    assert policy.presence == dt.timedelta(seconds=45) and policy.offer_after is None
    assert WaitPolicy.of("", 60, 300).offer_after == 5 * MINUTE
