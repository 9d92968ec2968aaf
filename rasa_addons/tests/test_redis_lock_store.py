"""The conversation lock shared by the Rasa replicas (``rasa_addons.redis_lock_store``).

On the Redis of ``REDIS_URL_TEST`` (``tests.support.redis_server``: skipped without a
server, failed in CI), each test under a random key prefix that it deletes at the end.

- the ticket queue: in order, only the oldest valid ticket holds the lock, an expired
  ticket stops blocking, a ticket given back lets the next one go;
- many issuers at once: ours never loses a ticket;
- two OS processes doing Rasa's turn (lock, read the tracker, add an event, save) on
  the same conversation: every event stored once, in each process's order.

The same runs with Rasa 3.6's ``RedisLockStore`` (tickets lost) or with no lock (events
lost), which show that these runs can see a loss, need the race to happen on the machine:
they are demonstrations in ``make bench`` (``scripts/bench_lock_store.py``, on the runs of
``rasa_addons.tests.lock_race``), not tests.
"""

from __future__ import annotations

import asyncio
import collections
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from rasa.core.lock_store import LockError, LockStore
from rasa.core.utils import AvailableEndpoints
from rasa.shared.exceptions import ConnectionException
from rasa.utils.endpoints import EndpointConfig

from rasa_addons.redis_lock_store import AtomicRedisLockStore
from rasa_addons.tests.lock_race import (
    ISSUERS,
    ROOT,
    TICKETS_EACH,
    TURNS_EACH,
    issue_from_threads,
    run_replicas,
    stored_actions,
)
from tests.support.redis_server import CONNECT_TIMEOUT_SECONDS, redis_url, unreachable

StoreFactory = Callable[[], AtomicRedisLockStore]


@pytest.fixture
def server() -> Iterator[redis.Redis]:
    url = redis_url()
    client = redis.Redis.from_url(url, socket_timeout=CONNECT_TIMEOUT_SECONDS)
    try:
        client.ping()
    except redis.RedisError as error:
        unreachable(url, error)
    yield client
    client.close()


@pytest.fixture
def prefix(server: redis.Redis) -> Iterator[str]:
    """A key prefix of this test's own (letters and digits: Rasa's store accepts no other)."""
    name = f"locktest{secrets.token_hex(6)}"
    yield name
    keys = list(server.scan_iter(match=f"{name}*", count=1000))
    if keys:
        server.delete(*keys)


@pytest.fixture
def new_store(prefix: str) -> StoreFactory:
    """Our store, as a replica would make it (each call: a connection pool of its own)."""
    return lambda: AtomicRedisLockStore(host=redis_url(), key_prefix=prefix)


# --- the queue ----------------------------------------------------------------------


def test_tickets_are_issued_in_order_and_only_the_oldest_holds_the_lock(new_store: StoreFactory) -> None:
    store = new_store()
    issued = [store.issue("membre") for _ in range(5)]
    numbers = [number for number, _ in issued]
    assert numbers == sorted(numbers) and len(set(numbers)) == 5
    assert [ahead for _, ahead in issued] == [0, 1, 2, 3, 4]
    assert [store.tickets_ahead("membre", number) for number in numbers] == [0, 1, 2, 3, 4]
    lock = store.get_lock("membre")
    assert lock is not None and [ticket.number for ticket in lock.tickets] == numbers
    assert not lock.is_locked(numbers[0]) and all(lock.is_locked(number) for number in numbers[1:])
    # another conversation has a queue of its own
    assert store.issue("autre")[1] == 0


def test_a_ticket_given_back_lets_the_next_one_go(new_store: StoreFactory, server: redis.Redis) -> None:
    store = new_store()
    first, second, third = (store.issue_ticket("membre") for _ in range(3))
    store.finish_serving("membre", second)  # a waiter gives up: the ones behind it move up
    assert store.tickets_ahead("membre", third) == 1
    assert store.tickets_ahead("membre", second) == -1
    store.cleanup("membre", first)
    assert store.tickets_ahead("membre", third) == 0
    assert store.is_someone_waiting("membre")
    store.cleanup("membre", third)
    assert not store.is_someone_waiting("membre")
    assert store.get_lock("membre") is None
    assert not server.exists(store.key("membre"))  # the queue goes with its last ticket
    store.finish_serving("membre", third)  # giving back twice does nothing
    assert store.issue_ticket("membre") > third  # numbers are never reused


def test_an_expired_ticket_stops_blocking(new_store: StoreFactory, server: redis.Redis) -> None:
    store = new_store()
    crashed = store.issue_ticket("membre", lock_lifetime=0.2)  # a replica that died holding the lock
    waiting, ahead = store.issue("membre", lock_lifetime=60)
    assert ahead == 1
    time.sleep(0.3)
    assert store.tickets_ahead("membre", waiting) == 0
    assert store.tickets_ahead("membre", crashed) == -1
    # the key lives as long as its longest ticket, so an abandoned queue disappears too
    assert 0 < server.pttl(store.key("membre")) <= 60_000
    alone = new_store()
    alone.issue_ticket("seul", lock_lifetime=0.1)
    time.sleep(0.2)
    assert not server.exists(alone.key("seul"))


def test_the_lock_makes_the_next_turn_wait_and_fails_if_its_ticket_expires(new_store: StoreFactory) -> None:
    store = new_store()
    order: list[str] = []

    async def turn(name: str, hold: float) -> None:
        async with store.lock("membre", wait_time_in_seconds=0.01):
            order.append(f"{name} in")
            await asyncio.sleep(hold)
            order.append(f"{name} out")

    async def both() -> None:
        first = asyncio.create_task(turn("a", 0.1))
        await asyncio.sleep(0.01)
        await asyncio.gather(first, turn("b", 0))

    asyncio.run(both())
    assert order == ["a in", "a out", "b in", "b out"]

    async def behind_a_long_turn() -> None:
        async with store.lock("membre", lock_lifetime=0.2, wait_time_in_seconds=0.01):
            pytest.fail("le tour ne devait pas commencer")

    holder = store.issue_ticket("membre", lock_lifetime=60)
    with pytest.raises(LockError, match="expired"):
        asyncio.run(behind_a_long_turn())
    assert store.tickets_ahead("membre", holder) == 0  # the holder's ticket is untouched


def test_rasa_s_snapshot_interface(new_store: StoreFactory) -> None:
    store = new_store()
    numbers = [store.issue_ticket("membre", 30) for _ in range(3)]
    lock = store.get_lock("membre")
    assert lock is not None
    lock.remove_ticket_for(numbers[0])
    store.save_lock(lock)
    assert store.tickets_ahead("membre", numbers[1]) == 0
    assert store.issue_ticket("membre") > numbers[2]
    store.delete_lock("membre")
    assert store.get_lock("membre") is None


def test_a_redis_that_lost_everything(new_store: StoreFactory, server: redis.Redis) -> None:
    """Restarted without persistence: scripts sent again, and no ticket number reused."""
    store = new_store()
    before = store.issue_ticket("membre")
    server.delete(store.key("membre"), store.counter_key)
    server.script_flush()
    after, ahead = store.issue("membre")  # EVALSHA fails (NOSCRIPT), redis-py sends the script
    assert ahead == 0 and after > before
    store.cleanup("membre", before)  # the forgotten ticket given back late removes nothing
    assert store.tickets_ahead("membre", after) == 0


def test_made_from_the_endpoints_file(prefix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    url = redis.connection.parse_url(redis_url())
    monkeypatch.setenv("REDIS_HOST", str(url.get("host", "127.0.0.1")))
    monkeypatch.setenv("REDIS_PORT", str(url.get("port", 6379)))
    monkeypatch.setenv("REDIS_LOCK_DB", str(url.get("db", 0)))
    monkeypatch.setenv("REDIS_LOCK_PREFIX", prefix)
    for name in ("INTERNAL_HOST", "ACTIONS_PORT", "ACTIONS_TOKEN", "TRACKER_STORE_URL"):
        monkeypatch.setenv(name, "x")
    endpoints = AvailableEndpoints.read_endpoints(str(ROOT / "endpoints.production.yml"))
    store = LockStore.create(endpoints.lock_store)
    assert isinstance(store, AtomicRedisLockStore)
    assert store.key("membre") == f"{prefix}:lock:membre"
    assert store.issue("membre")[1] == 0


def test_a_lock_store_that_does_not_answer_stops_rasa_at_start() -> None:
    config = EndpointConfig(
        url="127.0.0.1", type="rasa_addons.redis_lock_store.AtomicRedisLockStore", port=1, socket_timeout=1
    )
    with pytest.raises(ConnectionException, match="ne répond pas"):
        LockStore.create(config)


# --- many issuers at once ------------------------------------------------------------


def test_our_store_never_loses_a_ticket(new_store: StoreFactory) -> None:
    numbers, queued = issue_from_threads([new_store() for _ in range(ISSUERS)])
    assert len(numbers) == len(set(numbers)) == queued == ISSUERS * TICKETS_EACH


def test_never_two_holders_at_once_between_threads(new_store: StoreFactory) -> None:
    inside = 0
    overlaps = 0
    turns = 0
    guard = threading.Lock()

    async def replica(store: AtomicRedisLockStore) -> None:
        nonlocal inside, overlaps, turns
        for _ in range(40):
            async with store.lock("membre", wait_time_in_seconds=0.01):
                with guard:
                    inside += 1
                    overlaps += inside > 1
                    turns += 1
                await asyncio.sleep(0.001)
                with guard:
                    inside -= 1

    threads = [threading.Thread(target=asyncio.run, args=(replica(new_store()),)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert (turns, overlaps) == (160, 0)


# --- two processes, Rasa's read-modify-write of the tracker --------------------------


def test_two_processes_taking_the_same_conversation_lose_and_duplicate_no_event(
    tracker_db_url: str, prefix: str, tmp_path: Path
) -> None:
    summaries = run_replicas("atomic", redis_url(), tracker_db_url, prefix, tmp_path)
    assert [summary["error_count"] for summary in summaries] == [0, 0], summaries
    actions = stored_actions(tracker_db_url)
    expected = {f"action_{name}_{turn}" for name in ("r1", "r2") for turn in range(TURNS_EACH)}
    counts = collections.Counter(actions)
    assert sorted(set(counts) ^ expected) == [], "des événements manquent ou sont en trop"
    assert [action for action, count in counts.items() if count > 1] == [], "des événements en double"
    assert len(actions) == 2 * TURNS_EACH
    for name in ("r1", "r2"):  # each replica's events in the order of its turns
        own = [int(action.rsplit("_", 1)[1]) for action in actions if action.startswith(f"action_{name}_")]
        assert own == list(range(TURNS_EACH))
