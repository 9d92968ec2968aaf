"""Many callers on one conversation's lock at once: shared by the tests and the bench.

``rasa_addons/tests/test_redis_lock_store.py`` uses these runs to prove that our store
loses nothing; ``scripts/bench_lock_store.py`` (``make bench``) uses the same runs to
show the race it fixes (Rasa 3.6's store, or no lock at all, does lose), which needs
the race to happen and so cannot be a test that must pass on any machine.
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import redis
import sqlalchemy as sa
from rasa.core.lock_store import RedisLockStore
from rasa.shared.core.domain import Domain

from rasa_addons.redacting_tracker_store import RedactingSQLTrackerStore

ROOT = Path(__file__).resolve().parents[2]
ISSUERS = 8
TICKETS_EACH = 50
TURNS_EACH = 150


def stock_store(redis_url: str, prefix: str) -> RedisLockStore:
    url = redis.connection.parse_url(redis_url)
    return RedisLockStore(
        host=url.get("host", "127.0.0.1"), port=url.get("port", 6379), db=url.get("db", 0), key_prefix=prefix
    )


def issue_from_threads(stores: list[Any]) -> tuple[list[int], int]:
    """Every store issues TICKETS_EACH tickets at once: the numbers, and how many are queued."""
    numbers: list[int] = []
    start = threading.Barrier(len(stores))

    def issuer(store: Any) -> None:
        start.wait()
        mine = [store.issue_ticket("membre") for _ in range(TICKETS_EACH)]
        numbers.extend(mine)

    threads = [threading.Thread(target=issuer, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lock = stores[0].get_lock("membre")
    return numbers, len(lock.tickets) if lock else 0


def run_replicas(
    store: str, redis_url: str, tracker_url: str, prefix: str, logs: Path
) -> list[dict[str, Any]]:
    """Two worker processes (``lock_worker.py``), started together, on one conversation.

    The tracker store's table is made first (replicas joining a database already in use):
    the run is about their turns, not about two processes creating a schema at once.
    """
    RedactingSQLTrackerStore(domain=Domain.empty(), host=tracker_url).engine.dispose()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
    }
    url = redis.connection.parse_url(redis_url)
    command = [sys.executable, "-m", "rasa_addons.tests.lock_worker", "--store", store]
    command += ["--redis-host", str(url.get("host", "127.0.0.1")), "--redis-port", str(url.get("port", 6379))]
    command += ["--redis-db", str(url.get("db", 0)), "--prefix", prefix, "--tracker-url", tracker_url]
    command += ["--conversation", "membre", "--turns", str(TURNS_EACH)]
    workers = [
        subprocess.Popen(  # noqa: S603 - this interpreter, our own module
            [*command, "--name", name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=(logs / f"{name}.log").open("w"),
            text=True,
            env=env,
            cwd=ROOT,
        )
        for name in ("r1", "r2")
    ]
    try:
        for name, worker in zip(("r1", "r2"), workers, strict=True):
            assert worker.stdout is not None
            ready = worker.stdout.readline().strip()
            assert ready == "ready", (logs / f"{name}.log").read_text()[-3000:]
        for worker in workers:  # both replicas start their turns together
            assert worker.stdin is not None
            worker.stdin.write("go\n")
            worker.stdin.flush()
        outputs = [worker.communicate(timeout=180)[0] for worker in workers]
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait()
    assert all(worker.returncode == 0 for worker in workers), outputs
    return [json.loads(output.strip().splitlines()[-1]) for output in outputs]


def stored_actions(tracker_url: str) -> list[str]:
    engine = sa.create_engine(tracker_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                sa.text("SELECT data FROM events WHERE sender_id = 'membre' ORDER BY id")
            ).all()
    finally:
        engine.dispose()
    return [json.loads(data)["name"] for (data,) in rows]


def alternations(actions: list[str]) -> int:
    """How many times the stored events pass from one replica's turn to the other's."""
    return sum(1 for a, b in itertools.pairwise(actions) if a.split("_")[1] != b.split("_")[1])
