"""Server push across web workers: one PostgreSQL LISTEN per process, fanned out to its streams.

Several web workers serve the site behind a load balancer; a member's stream
(``GET /chat/flux``) and an agent's console stream (``GET /conseiller/api/flux``)
may be on one worker while the message that concerns them is written through
another, or by the action server. Triggers (migration 0007) ``pg_notify`` every
change of a hand-off on ``CHANNEL``; here one ``Listener`` per worker process holds
a dedicated connection that LISTENs, and a ``Hub`` wakes the streams waiting on
what changed. A notification only wakes a stream: the stream re-reads the
database, which stays the one truth (ordering, ``Last-Event-ID``).

Topics: ``QUEUE`` (the queue changed: a hand-off was queued, taken, closed…, or an
agent's availability) and ``handoff_topic(id)`` (that hand-off or its messages).
Payloads carry ids only: never the member's sender id, a text or a NIR.

When the connection is lost (database restart, network), the listener reconnects
by itself with a growing back-off and logs one warning; meanwhile ``wait_seconds``
is short, so the streams re-read on a timer and miss nothing, and every stream is
woken once the connection is back (``EVERYTHING``), for what happened unheard.
SQLite (one process, ``make run``) has no hub: the streams keep their timers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator

import psycopg
from sqlalchemy import Engine

logger = logging.getLogger("bot.web.push")

# Also migrations/versions/0007_handoff_notifications.py.
CHANNEL = "sesame_handoffs"
QUEUE = "file"
# Delivered to every subscription, whatever it follows: "re-read everything".
EVERYTHING = "*"
# How long a stream waits for a notification before re-reading anyway: the safety
# net of a healthy listener, and the polling period while it is disconnected.
FALLBACK_SECONDS = 5.0
DISCONNECTED_SECONDS = 1.0
# Reconnection delays: 0.5 s, 1 s, 2 s… up to 30 s.
FIRST_RETRY_SECONDS = 0.5
MAX_RETRY_SECONDS = 30.0
# A quiet connection is checked this often, so that a silently dead one is noticed.
HEALTH_CHECK_SECONDS = 30.0
CONNECT_TIMEOUT_SECONDS = 5


def handoff_topic(handoff_id: int) -> str:
    return f"prise:{handoff_id}"


def topics_of(payload: str) -> set[str]:
    """What a notification's payload (``h:12``, ``m:12``, ``q``) wakes."""
    kind, _, ident = payload.partition(":")
    if kind == "q":
        return {QUEUE}
    if not ident.isdigit():
        return set()
    if kind == "h":
        return {QUEUE, handoff_topic(int(ident))}
    if kind == "m":
        return {handoff_topic(int(ident))}
    return set()


class Subscription:
    """One stream's wake-ups: the topics it follows, and those delivered since it last looked."""

    def __init__(self, topics: Iterable[str] | None) -> None:
        self.topics = None if topics is None else set(topics)  # None: every topic (the console)
        self._pending: set[str] = set()
        self._event = asyncio.Event()

    def follow(self, topics: Iterable[str]) -> None:
        """Change what wakes this stream (a member's position matters only while waiting)."""
        self.topics = set(topics)

    def deliver(self, topics: set[str]) -> None:
        wanted = topics if EVERYTHING in topics or self.topics is None else topics & self.topics
        if wanted:
            self._pending |= wanted
            self._event.set()

    async def wait(self, timeout: float) -> set[str]:
        """The topics delivered, at once if some already were; empty after ``timeout``."""
        if not self._pending:
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout)
        delivered, self._pending = self._pending, set()
        self._event.clear()
        return delivered


class Hub:
    """The subscriptions of one worker process, fed by its ``Listener``."""

    def __init__(self) -> None:
        self._subscriptions: set[Subscription] = set()
        self.listening = False

    @property
    def wait_seconds(self) -> float:
        """How long a stream may wait before re-reading: short while notifications cannot come."""
        return FALLBACK_SECONDS if self.listening else DISCONNECTED_SECONDS

    @contextlib.contextmanager
    def subscribe(self, topics: Iterable[str] | None = ()) -> Iterator[Subscription]:
        """Follow ``topics`` (None: all of them) while the block runs."""
        subscription = Subscription(topics)
        self._subscriptions.add(subscription)
        try:
            yield subscription
        finally:
            self._subscriptions.discard(subscription)

    def publish(self, topics: set[str]) -> None:
        for subscription in list(self._subscriptions):
            subscription.deliver(topics)

    @property
    def subscribers(self) -> int:
        return len(self._subscriptions)


def conninfo(engine: Engine) -> str:
    """libpq's URL for the engine's database (SQLAlchemy's ``postgresql+psycopg://`` form)."""
    return engine.url.set(drivername="postgresql").render_as_string(hide_password=False)


class Listener:
    """The worker's LISTEN connection: feeds ``hub``, reconnects after any loss."""

    def __init__(self, hub: Hub, dsn: str) -> None:
        self.hub = hub
        self._dsn = dsn
        self._task: asyncio.Task[None] | None = None
        self._connection: psycopg.AsyncConnection[object] | None = None
        self.connections = 0  # how many times it has connected (tests, reconnection)
        self._warned = False  # one warning per outage, not one per failed retry

    async def start(self) -> None:
        """Connect once before the worker serves (so its first streams are pushed), then run."""
        try:
            await self._connect()
        except (psycopg.Error, OSError) as exc:
            self._lost(exc)
        self._task = asyncio.create_task(self._run(), name="sesame-push-listener")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        await self._close()
        self.hub.listening = False

    @property
    def backend_pid(self) -> int | None:
        """The server process of the LISTEN connection (tests end it to simulate a restart)."""
        connection = self._connection
        return connection.info.backend_pid if connection is not None and not connection.closed else None

    async def _connect(self) -> None:
        connection = await psycopg.AsyncConnection.connect(
            self._dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_SECONDS
        )
        try:
            await connection.execute(f"LISTEN {CHANNEL}")
        except BaseException:
            await connection.close()
            raise
        self._connection = connection
        self.connections += 1
        self.hub.listening = True
        if self._warned:
            self._warned = False
            logger.info("push: listening again to the database's notifications")
        # Whatever changed while no one listened: every stream re-reads once.
        self.hub.publish({EVERYTHING})

    async def _close(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            with contextlib.suppress(psycopg.Error, OSError):
                await connection.close()

    def _lost(self, exc: BaseException) -> None:
        if not self._warned:
            # Once per outage; the error's class only (its text may name the server or the user).
            self._warned = True
            logger.warning(
                "push: lost the database's notifications (%s); streams re-read every %.0f s until it is back",
                type(exc).__name__,
                DISCONNECTED_SECONDS,
            )
        self.hub.listening = False

    async def _run(self) -> None:
        delay = FIRST_RETRY_SECONDS
        while True:
            if self._connection is None:
                await asyncio.sleep(delay)
                try:
                    await self._connect()
                except (psycopg.Error, OSError) as exc:
                    self._lost(exc)
                    delay = min(delay * 2, MAX_RETRY_SECONDS)
                    continue
            delay = FIRST_RETRY_SECONDS
            try:
                await self._listen()
            except (psycopg.Error, OSError) as exc:
                self._lost(exc)
                await self._close()

    async def _listen(self) -> None:
        """Fan notifications out until the connection fails (then raise)."""
        connection = self._connection
        assert connection is not None  # noqa: S101 - _run connects first
        while True:
            async for notify in connection.notifies(timeout=HEALTH_CHECK_SECONDS):
                self.hub.publish(topics_of(notify.payload))
            await connection.execute("SELECT 1")


@contextlib.asynccontextmanager
async def pushed(engine: Engine) -> AsyncIterator[Hub | None]:
    """A running hub for the app's lifespan on PostgreSQL; None on SQLite (timers instead)."""
    if engine.dialect.name != "postgresql":
        yield None
        return
    hub = Hub()
    listener = Listener(hub, conninfo(engine))
    await listener.start()
    try:
        yield hub
    finally:
        await listener.stop()
