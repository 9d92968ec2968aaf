"""One of the replicas of the two-process lock test (``test_redis_lock_store.py``), in env A.

Does what Rasa does for each message, ``--turns`` times on the same conversation:
take the conversation's lock, read the tracker from the tracker store, add an event
(``action_<name>_<turn>``), save the tracker, give the lock back. ``--store`` says
which lock: ``atomic`` (ours), ``stock`` (Rasa 3.6's ``RedisLockStore``) or ``none``.

Prints ``ready`` once everything is imported and connected, waits for a line on its
standard input (so that both replicas start together), then prints a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator
from typing import Any

from rasa.core.lock_store import LOCK_LIFETIME, LockStore, RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.redacting_tracker_store import RedactingSQLTrackerStore
from rasa_addons.redis_lock_store import AtomicRedisLockStore

POLL_SECONDS = 0.005


def lock_store(kind: str, host: str, port: int, db: int, prefix: str) -> LockStore | None:
    if kind == "atomic":
        return AtomicRedisLockStore(host=host, port=port, db=db, key_prefix=prefix)
    if kind == "stock":
        return RedisLockStore(host=host, port=port, db=db, key_prefix=prefix.replace("-", ""))
    return None


async def run(args: argparse.Namespace) -> dict[str, Any]:
    locks = lock_store(args.store, args.redis_host, args.redis_port, args.redis_db, args.prefix)
    store = RedactingSQLTrackerStore(domain=Domain.empty(), host=args.tracker_url)
    errors: list[str] = []

    @contextlib.asynccontextmanager
    async def turn() -> AsyncIterator[None]:
        if locks is None:
            yield
            return
        async with locks.lock(args.conversation, args.lifetime, POLL_SECONDS):
            yield

    print("ready", flush=True)
    sys.stdin.readline()
    started = time.perf_counter()
    for number in range(args.turns):
        try:
            async with turn():
                tracker = await store.retrieve(args.conversation)
                if tracker is None:
                    tracker = DialogueStateTracker(args.conversation, [])
                tracker.update(ActionExecuted(f"action_{args.name}_{number}"))
                await store.save(tracker)
        except Exception as error:  # a lock error is a result too (the stock store)
            errors.append(f"{type(error).__name__}: {error}")
        await asyncio.sleep(0)
    return {
        "name": args.name,
        "turns": args.turns,
        "seconds": round(time.perf_counter() - started, 3),
        "errors": errors[:5],
        "error_count": len(errors),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["atomic", "stock", "none"], required=True)
    parser.add_argument("--redis-host", default="127.0.0.1")
    parser.add_argument("--redis-port", type=int, default=6379)
    parser.add_argument("--redis-db", type=int, required=True)
    parser.add_argument("--prefix", required=True)
    parser.add_argument("--tracker-url", required=True)
    parser.add_argument("--conversation", required=True)
    parser.add_argument("--name", required=True)
    parser.add_argument("--turns", type=int, required=True)
    parser.add_argument("--lifetime", type=float, default=LOCK_LIFETIME, help="seconds a ticket is valid")
    print(json.dumps(asyncio.run(run(parser.parse_args()))), flush=True)


if __name__ == "__main__":
    main()
