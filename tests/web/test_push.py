"""The push hub of a web worker (bot.web.push): who wakes on which notification, and reconnection.

The fan-out is tested alone, then on a real PostgreSQL server: the triggers of
migration 0007 notify, the worker's listener hears it, the right stream wakes and
no other; after its connection is killed (as a database restart would), the
listener comes back by itself and every stream re-reads once.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, text

from bot.db.engine import session_scope
from bot.db.enums import HandoffAuthor, HandoffKind, HandoffReason
from bot.db.models import HandoffMessage, utcnow
from bot.handoffs import queue
from bot.web import push
from bot.web.push import EVERYTHING, QUEUE, Hub, Listener, handoff_topic, topics_of

ON_POSTGRESQL = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)
# Generous: the machine may be busy; a notification normally takes milliseconds.
ARRIVES_WITHIN = 5.0


# --- the fan-out alone -------------------------------------------------------------------


def test_payloads_name_what_they_wake() -> None:
    assert topics_of("h:12") == {QUEUE, handoff_topic(12)}
    assert topics_of("m:12") == {handoff_topic(12)}
    assert topics_of("q") == {QUEUE}
    assert topics_of("m:douze") == set() and topics_of("x:1") == set() and topics_of("") == set()


@pytest.mark.asyncio
async def test_only_the_streams_that_follow_a_topic_wake() -> None:
    hub = Hub()
    with hub.subscribe({handoff_topic(1)}) as one, hub.subscribe({handoff_topic(2), QUEUE}) as two:
        hub.publish({handoff_topic(1)})
        assert await one.wait(1.0) == {handoff_topic(1)}
        assert await two.wait(0.05) == set()
        hub.publish({QUEUE, handoff_topic(3)})
        assert await two.wait(1.0) == {QUEUE}
        assert await one.wait(0.05) == set()
        hub.publish({EVERYTHING})  # after a reconnection: everyone re-reads
        assert await one.wait(1.0) == {EVERYTHING} and await two.wait(1.0) == {EVERYTHING}
        one.follow({QUEUE})
        hub.publish({handoff_topic(1)})
        assert await one.wait(0.05) == set()
        assert hub.subscribers == 2
    assert hub.subscribers == 0


@pytest.mark.asyncio
async def test_a_wake_up_before_the_wait_is_not_lost() -> None:
    hub = Hub()
    with hub.subscribe({QUEUE}) as stream:
        hub.publish({QUEUE})
        hub.publish({QUEUE})
        assert await stream.wait(0.05) == {QUEUE}
        assert await stream.wait(0.05) == set()


def test_streams_re_read_sooner_while_nothing_is_heard() -> None:
    hub = Hub()
    assert hub.wait_seconds == push.DISCONNECTED_SECONDS
    hub.listening = True
    assert hub.wait_seconds == push.FALLBACK_SECONDS


# --- on PostgreSQL -----------------------------------------------------------------------


def open_live(engine: Engine, conversation: str) -> int:
    with session_scope(engine) as session:
        handoff = queue.open_handoff(
            session,
            conversation_id=conversation,
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Sujets : code d'accès oublié.",
            transcript=[],
        )
        return handoff.id


def add_message(engine: Engine, handoff_id: int, words: str) -> None:
    with session_scope(engine) as session:
        session.add(
            HandoffMessage(
                handoff_id=handoff_id, created_at=utcnow(), author=HandoffAuthor.MEMBER, text=words
            )
        )


async def until(condition: Callable[[], bool], seconds: float = ARRIVES_WITHIN) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition never met"
        await asyncio.sleep(0.05)


@ON_POSTGRESQL
@pytest.mark.asyncio
async def test_a_message_wakes_the_stream_of_its_hand_off_and_no_other(engine: Engine) -> None:
    first, second = open_live(engine, "membre-AAAAAAAAAAAAAAAA"), open_live(engine, "membre-BBBBBBBBBBBBBBBB")
    hub = Hub()
    listener = Listener(hub, push.conninfo(engine))
    await listener.start()
    try:
        assert hub.listening
        with hub.subscribe({handoff_topic(first)}) as mine, hub.subscribe({handoff_topic(second)}) as other:
            with hub.subscribe({QUEUE}) as console:
                await asyncio.to_thread(add_message, engine, first, "bonjour")
                assert await mine.wait(ARRIVES_WITHIN) == {handoff_topic(first)}
                assert await other.wait(0.3) == set()
                assert await console.wait(0.01) == set()  # a message does not change the queue
                third = await asyncio.to_thread(open_live, engine, "membre-CCCCCCCCCCCCCCCC")
                assert await console.wait(ARRIVES_WITHIN) == {QUEUE}
                assert await mine.wait(0.3) == set() and await other.wait(0.01) == set()
                assert third not in (first, second)
    finally:
        await listener.stop()
    assert not hub.listening


@ON_POSTGRESQL
@pytest.mark.asyncio
async def test_the_notifications_name_ids_only(engine: Engine) -> None:
    """No sender id (the member's secret), no text: what the triggers send, heard directly."""
    import psycopg

    connection = await psycopg.AsyncConnection.connect(push.conninfo(engine), autocommit=True)
    try:
        await connection.execute(f"LISTEN {push.CHANNEL}")
        handoff_id = await asyncio.to_thread(open_live, engine, "membre-SECRETSECRETSECRET")
        await asyncio.to_thread(add_message, engine, handoff_id, "mon numero 2 91 09 75 006 373 88")
        heard = [n.payload async for n in connection.notifies(timeout=ARRIVES_WITHIN, stop_after=2)]
    finally:
        await connection.close()
    assert heard == [f"h:{handoff_id}", f"m:{handoff_id}"]


@ON_POSTGRESQL
@pytest.mark.asyncio
async def test_the_listener_comes_back_after_its_connection_is_killed(
    engine: Engine, caplog: pytest.LogCaptureFixture
) -> None:
    handoff_id = open_live(engine, "membre-DDDDDDDDDDDDDDDD")
    hub = Hub()
    listener = Listener(hub, push.conninfo(engine))
    await listener.start()
    caplog.set_level(logging.INFO, logger="bot.web.push")
    try:
        with hub.subscribe({handoff_topic(handoff_id)}) as stream:
            killed = listener.backend_pid
            assert killed is not None
            with engine.connect() as admin:
                assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": killed}).scalar()
            # Back by itself: every stream re-reads once, for what it may have missed.
            assert await stream.wait(ARRIVES_WITHIN) == {EVERYTHING}
            await until(lambda: hub.listening and listener.connections == 2)
            assert listener.backend_pid not in (None, killed)
            await asyncio.to_thread(add_message, engine, handoff_id, "toujours là ?")
            assert await stream.wait(ARRIVES_WITHIN) == {handoff_topic(handoff_id)}
    finally:
        await listener.stop()
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1 and "lost the database's notifications" in warnings[0].getMessage()
    assert any("listening again" in r.getMessage() for r in caplog.records)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.mark.asyncio
async def test_without_a_database_the_worker_still_starts_and_warns_once(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(push, "FIRST_RETRY_SECONDS", 0.05)
    hub = Hub()
    password = "motdepasse-secret"  # noqa: S105 - must not reach the log
    listener = Listener(hub, f"postgresql://sesame:{password}@127.0.0.1:{_closed_port()}/sesame")
    caplog.set_level(logging.INFO, logger="bot.web.push")
    await listener.start()
    try:
        assert not hub.listening and hub.wait_seconds == push.DISCONNECTED_SECONDS
        await asyncio.sleep(0.5)  # several retries, growing apart
    finally:
        await listener.stop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert password not in caplog.text and "127.0.0.1" not in caplog.text


@pytest.mark.asyncio
async def test_a_console_follows_every_topic() -> None:
    hub = Hub()
    with hub.subscribe(None) as console:
        hub.publish({handoff_topic(7)})
        hub.publish({QUEUE})
        assert await console.wait(1.0) == {handoff_topic(7), QUEUE}


def test_the_console_is_told_what_to_re_read() -> None:
    from bot.web.routes.console_push import wake_ups

    def names(events: list[str]) -> list[str]:
        return [" ".join(line.split(": ", 1)[1] for line in event.strip().splitlines()) for event in events]

    assert names(wake_ups({QUEUE, handoff_topic(12), handoff_topic(3)}, listening=True)) == [
        "file {}",
        'messages {"id": 3}',
        'messages {"id": 12}',
    ]
    assert names(wake_ups(set(), listening=True)) == []  # the safety-net wake-up of a healthy hub
    # No notifications heard (reconnecting), or some may have been missed: re-read everything.
    for topics, listening in (({EVERYTHING}, True), (set(), False)):
        assert names(wake_ups(topics, listening)) == ["file {}", 'messages {"id": null}']
