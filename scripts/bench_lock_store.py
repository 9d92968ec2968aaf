"""The race the conversation lock fixes, shown on this machine (``make bench``, env A).

``rasa_addons/tests/test_redis_lock_store.py`` proves that our store loses nothing; it
cannot prove that its runs would notice a loss, because that needs the race to happen,
which depends on the machine. These demonstrations do, on the same runs
(``rasa_addons.tests.lock_race``):

- ``ISSUERS`` threads issuing tickets at once with Rasa 3.6's ``RedisLockStore``: tickets
  lost (two callers get the same number); with ours, none;
- two processes doing Rasa's turn on one conversation (SQLite and PostgreSQL tracker
  stores): with no lock, events lost; with ours, none, and the two processes really
  competed (their turns alternate at least ``TURNS_EACH // 4`` times).

Redis and PostgreSQL as for the tests (``REDIS_URL_TEST``, ``DATABASE_URL_TEST``);
writes reports/bench_lock_store.json and exits with 1 when a demonstration shows nothing.
"""

from __future__ import annotations

import json
import secrets
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis

from rasa_addons.redis_lock_store import AtomicRedisLockStore
from rasa_addons.tests.lock_race import (
    ISSUERS,
    ROOT,
    TURNS_EACH,
    alternations,
    issue_from_threads,
    run_replicas,
    stock_store,
    stored_actions,
)
from tests.support.postgres import throwaway_database
from tests.support.redis_server import redis_url

REPORT = ROOT / "reports" / "bench_lock_store.json"


@contextmanager
def key_prefix() -> Iterator[str]:
    """A Redis key prefix of this run's own, deleted at the end."""
    name = f"lockbench{secrets.token_hex(6)}"
    try:
        yield name
    finally:
        server = redis.Redis.from_url(redis_url())
        keys = list(server.scan_iter(match=f"{name}*", count=1000))
        if keys:
            server.delete(*keys)
        server.close()


@contextmanager
def tracker_database(kind: str, directory: Path) -> Iterator[str]:
    """An empty tracker-store database: a SQLite file, or a throw-away PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{directory / f'tracker-{secrets.token_hex(4)}.db'}"
        return
    with throwaway_database("sesame_lock_bench", "psycopg2") as url:
        yield url


def tickets() -> dict[str, Any]:
    results: dict[str, Any] = {}
    for name in ("stock", "atomic"):
        with key_prefix() as prefix:
            if name == "stock":
                stores: list[Any] = [stock_store(redis_url(), prefix) for _ in range(ISSUERS)]
            else:
                stores = [AtomicRedisLockStore(host=redis_url(), key_prefix=prefix) for _ in range(ISSUERS)]
            numbers, queued = issue_from_threads(stores)
        results[name] = {
            "issued": len(numbers),
            "queued": queued,
            "duplicate_numbers": len(numbers) - len(set(numbers)),
        }
    return results


def turns(kind: str, directory: Path) -> dict[str, Any]:
    results: dict[str, Any] = {}
    for store in ("none", "atomic"):
        with key_prefix() as prefix, tracker_database(kind, directory) as url:
            logs = directory / f"{kind}-{store}"
            logs.mkdir()
            summaries = run_replicas(store, redis_url(), url, prefix, logs)
            actions = stored_actions(url)
        results[store] = {
            "expected_events": 2 * TURNS_EACH,
            "stored_events": len(actions),
            "distinct_events": len(set(actions)),
            "alternations": alternations(actions),
            "errors": sum(summary["error_count"] for summary in summaries),
            "seconds": max(summary["seconds"] for summary in summaries),
        }
    return results


def failures(report: dict[str, Any]) -> list[str]:
    """What the demonstrations failed to show, in French."""
    found: list[str] = []
    stock, ours = report["tickets"]["stock"], report["tickets"]["atomic"]
    if not (stock["queued"] < stock["issued"] and stock["duplicate_numbers"] > 0):
        found.append("le RedisLockStore de Rasa 3.6 n'a perdu aucun ticket cette fois")
    if ours["duplicate_numbers"] or ours["queued"] != ours["issued"]:
        found.append(f"notre verrou a perdu des tickets : {ours}")
    for kind, runs in report["turns"].items():
        if runs["none"]["stored_events"] >= runs["none"]["expected_events"]:
            found.append(f"{kind} : sans verrou, deux processus n'ont perdu aucun événement cette fois")
        atomic = runs["atomic"]
        if atomic["errors"] or atomic["distinct_events"] != atomic["expected_events"]:
            found.append(f"{kind} : notre verrou a perdu des événements : {atomic}")
        if atomic["alternations"] < TURNS_EACH // 4:
            switches = atomic["alternations"]
            found.append(f"{kind} : les deux processus ne se sont pas disputé le verrou ({switches})")
    return found


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="lock-bench-") as temporary:
        directory = Path(temporary)
        report: dict[str, Any] = {
            "tickets": tickets(),
            "turns": {kind: turns(kind, directory) for kind in ("sqlite", "postgresql")},
        }
    report["failures"] = failures(report)
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    for failure in report["failures"]:
        print(f"Démonstration : {failure}", file=sys.stderr)
    return 1 if report["failures"] else 0


if __name__ == "__main__":
    sys.exit(main())
