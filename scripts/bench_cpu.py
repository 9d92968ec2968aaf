"""CPU per member message, per process, at turn 3 and turn 30 (issue #24): part of ``make bench``.

What decides how many members a core serves is the CPU each message costs, not the
latency on a shared machine. This bench drives, in turn:

1. Sésame in production mode with one replica (``python -m bot.production``: HAProxy, a
   web worker, a Rasa server with its PostgreSQL conversation store and Redis lock, an
   action server), members posting to the balancer's ``POST /chat`` as the widget does;
2. the stock bot (``rasa init``'s project, trained once and kept under ``var/bench/``,
   served by ``rasa run``), through its REST webhook.

``MEMBERS`` members talk at once, each in a conversation of 30 turns (« bonjour », « j'ai
oublié mon code », « merci », repeated; « hello », « great », « bye » for the stock bot).
The CPU time of every process group (``scripts.bench_cpu_procs``) is read before and after
turns 1–3 (*turn 3*: short conversations, session start included) and turns 28–30
(*turn 30*: long ones), divided by the messages sent; the groups' idle CPU (health checks
of the balancer and the supervisor), measured before, is subtracted. ``ROUNDS`` rounds
of fresh conversations give as many samples; the median is reported. Then py-spy records
flame graphs of each service under the same load.

Results: reports/bench_cpu.json, reports/bench_cpu.md (``scripts.bench_cpu_report``),
reports/flame-*.svg. ``--render`` rewrites the markdown from the JSON.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import httpx

from scripts import bench_cpu_report
from scripts.bench import ROOT, run_stock, stock_project, train
from scripts.bench_client import ConversationFailed, Endpoint, RestWebhook, Session, SourceAddresses, WebChat
from scripts.bench_cpu_procs import cpu_snapshot, flame_graphs, python_of, top_functions
from scripts.bench_services import clean_up, machine_facts, production_environment
from tests.support.background import free_port, production_in_background

MODEL = ROOT / "models" / "sesame.tar.gz"
REPORTS = ROOT / "reports"
STOCK_CACHE = ROOT / "var" / "bench"
MEMBERS = int(os.environ.get("BENCH_CPU_MEMBERS", "10"))
ROUNDS = int(os.environ.get("BENCH_CPU_ROUNDS", "3"))
IDLE_SECONDS = 5.0
PROFILE_SECONDS = float(os.environ.get("BENCH_CPU_PROFILE_SECONDS", "20"))
# While working on one bot: BENCH_CPU_BOTS=sesame measures Sésame only (the report says so).
BOTS = os.environ.get("BENCH_CPU_BOTS", "sesame,stock").split(",")
TURNS = 30
# The turns measured (1-based, inclusive): the short conversation, and the end of a long one.
WINDOWS = {"turn_3": (1, 3), "turn_30": (28, 30)}
SESAME_TEXTS = ("bonjour", "j'ai oublié mon code", "merci")
STOCK_TEXTS = ("hello", "great", "bye")
# The services the target adds up (HAProxy, the mail worker and the SMTP sink are shown apart).
SESAME_SERVICES = ("web", "rasa", "actions")
READY_SECONDS = 600
MESSAGE_TIMEOUT_SECONDS = 45.0

Check = Callable[[str], str | None] | None


def say(text: str) -> None:
    print(text, flush=True)


class Members:
    """``MEMBERS`` conversations, each with its own client and loopback source address."""

    def __init__(self, endpoint: Endpoint, addresses: SourceAddresses, texts: Sequence[str], check: Check):
        self.texts, self.check = texts, check
        self.sessions: list[Session] = []
        self.clients: list[httpx.AsyncClient] = []
        for _ in range(MEMBERS):
            transport = httpx.AsyncHTTPTransport(local_address=next(addresses), retries=0)
            client = httpx.AsyncClient(transport=transport, trust_env=False, timeout=MESSAGE_TIMEOUT_SECONDS)
            self.clients.append(client)
            self.sessions.append(Session(endpoint, client, [], sender=f"banc{uuid.uuid4().hex}"))
        self.failed: set[int] = set()

    async def turns(self, first: int, last: int) -> None:
        """Every member still talking sends turns ``first`` … ``last`` (1-based), members at once."""

        async def talk(index: int, session: Session) -> None:
            for turn in range(first, last + 1):
                if index in self.failed:
                    return
                try:
                    await session.say(self.texts[(turn - 1) % len(self.texts)], "cpu", self.check)
                except ConversationFailed:
                    self.failed.add(index)

        await asyncio.gather(*(talk(i, s) for i, s in enumerate(self.sessions)))

    def sent(self) -> tuple[int, int]:
        """Messages sent so far, and how many of them failed."""
        turns = [turn for session in self.sessions for turn in session.turns]
        return len(turns), sum(turn.outcome != "ok" for turn in turns)

    async def close(self) -> None:
        for client in self.clients:
            await client.aclose()


@dataclass(frozen=True)
class Load:
    """One bot under load: how members reach it, what they say, which process groups are measured."""

    endpoint: Endpoint
    groups: Mapping[str, int]
    addresses: SourceAddresses
    texts: Sequence[str]
    check: Check


async def one_round(load: Load) -> dict[str, Any]:
    """Fresh conversations to turn 30; each window's messages, failures, seconds and CPU per group."""
    members = Members(load.endpoint, load.addresses, load.texts, load.check)
    groups = load.groups
    windows: dict[str, Any] = {}
    turn = 1
    try:
        for name, (first, last) in WINDOWS.items():
            if turn < first:
                await members.turns(turn, first - 1)
            sent_before, failed_before = members.sent()
            cpu_before, started = cpu_snapshot(groups), time.monotonic()
            await members.turns(first, last)
            cpu_after, seconds = cpu_snapshot(groups), time.monotonic() - started
            sent, failed = members.sent()
            windows[name] = {
                "messages": sent - sent_before,
                "failed": failed - failed_before,
                "seconds": seconds,
                "cpu_seconds": {g: cpu_after[g] - cpu_before[g] for g in groups},
            }
            turn = last + 1
    finally:
        await members.close()
    return windows


def idle_rates(groups: Mapping[str, int]) -> dict[str, float]:
    """CPU seconds per second each group spends with no member talking."""
    before, started = cpu_snapshot(groups), time.monotonic()
    time.sleep(IDLE_SECONDS)
    after, seconds = cpu_snapshot(groups), time.monotonic() - started
    return {g: max(0.0, (after[g] - before[g]) / seconds) for g in groups}


def per_message(rounds: list[dict[str, Any]], idle: Mapping[str, float]) -> dict[str, Any]:
    """For each window: ms of CPU per message per group, each round's and the median."""
    result: dict[str, Any] = {}
    for window in WINDOWS:
        samples = [r[window] for r in rounds if r[window]["messages"]]
        groups: dict[str, Any] = {}
        for group in idle:
            values = [
                round(
                    1000 * max(0.0, s["cpu_seconds"][group] - idle[group] * s["seconds"]) / s["messages"], 2
                )
                for s in samples
            ]
            groups[group] = {
                "median_ms": round(statistics.median(values), 2) if values else None,
                "rounds": values,
            }
        result[window] = {
            "messages": sum(s["messages"] for s in samples),
            "failed": sum(s["failed"] for s in samples),
            "groups": groups,
        }
    return result


def drive(load: Load) -> dict[str, Any]:
    """Warm-up, idle rates, then ``ROUNDS`` measured rounds."""
    asyncio.run(one_round(load))  # warm-up: caches, connections
    idle = idle_rates(load.groups)
    rounds = []
    for number in range(1, ROUNDS + 1):
        rounds.append(asyncio.run(one_round(load)))
        say(f"  tour de mesure {number}/{ROUNDS} : {bench_cpu_report.round_line(rounds[-1])}")
    return {"idle_cpu_per_second": {g: round(v, 4) for g, v in idle.items()}, **per_message(rounds, idle)}


def profile(load: Load, prefix: str) -> dict[str, Any]:
    """Flame graphs of the groups' Python processes under the same load: the SVGs written, and
    each process's functions with the most samples (self time)."""
    targets = {name: pid for name, group in load.groups.items() if (pid := python_of(group)) is not None}
    out = {name: REPORTS / f"flame-{prefix}-{name}.svg" for name in targets}
    with flame_graphs(targets, out, PROFILE_SECONDS) as started:
        deadline = time.monotonic() + PROFILE_SECONDS
        while started and time.monotonic() < deadline:
            asyncio.run(one_round(load))
    written = [name for name in started if out[name].exists()]
    return {
        "flame_graphs": [str(out[name].relative_to(ROOT)) for name in written],
        "top_functions": {
            name: top_functions(out[name].with_suffix(".txt"))
            for name in written
            if out[name].with_suffix(".txt").exists()
        },
    }


def service_of(process: str) -> str:
    """``rasa-1`` → ``rasa``: production mode numbers its replicas."""
    return process.rsplit("-", 1)[0] if process[-1].isdigit() else process


def sesame_run(addresses: SourceAddresses) -> dict[str, Any]:
    environment = production_environment(1, uuid.uuid4().hex[:10])
    base = f"http://127.0.0.1:{environment['WEB_PORT']}"
    say(f"Sésame (production, 1 copie) : démarrage, répartiteur web sur {environment['WEB_PORT']}…")
    try:
        with tempfile.TemporaryDirectory(prefix="sesame-bench-cpu-") as tmp:
            run_dir = Path(tmp) / "run"
            with production_in_background(
                run_dir, run_dir / "env.production", environment, model=MODEL, ready_seconds=READY_SECONDS
            ) as running:
                groups = {service_of(name): group for name, group in running.pids().items()}
                load = Load(WebChat(base), groups, addresses, SESAME_TEXTS, None)
                result = drive(load)
                targets = {name: groups[name] for name in SESAME_SERVICES}
                result.update(profile(replace(load, groups=targets), "sesame"))
                return result
    finally:
        say(f"  nettoyage : {clean_up(environment)}")


def rasa_version() -> str:
    """Env A's Rasa version, from its package metadata (env B, which runs this, has no Rasa)."""
    found = sorted((ROOT / ".venv" / "rasa" / "lib").glob("python3.10/site-packages/rasa-*.dist-info"))
    return found[0].name.removeprefix("rasa-").removesuffix(".dist-info") if found else "unknown"


def stock_model() -> tuple[Path, Path]:
    """The stock project and its model, trained once per Rasa version and kept under var/bench/."""
    where = STOCK_CACHE / f"stock-rasa-{rasa_version()}"
    project, model = where / "stock", where / "model" / "bench.tar.gz"
    if not model.exists():
        say("rasa init : entraînement de zéro (gardé ensuite dans var/bench/)…")
        where.mkdir(parents=True, exist_ok=True)
        project = stock_project(where)
        train(project, where / "model")
    return project, model


def stock_run(addresses: SourceAddresses) -> dict[str, Any]:
    project, model = stock_model()
    port = free_port()
    say(f"rasa init : rasa run sur le port {port}…")
    with tempfile.TemporaryDirectory(prefix="sesame-bench-cpu-stock-") as tmp:
        with run_stock(project, Path(tmp), model, port) as server:
            endpoint = RestWebhook(f"http://127.0.0.1:{port}")
            load = Load(endpoint, {"rasa": server.pid}, addresses, STOCK_TEXTS, lambda _answer: None)
            result = drive(load)
            result.update(profile(load, "stock"))
            return result


def main(argv: list[str]) -> int:
    json_path, md_path = REPORTS / "bench_cpu.json", REPORTS / "bench_cpu.md"
    if argv == ["--render"]:
        results = json.loads(json_path.read_text(encoding="utf-8"))
    else:
        if not MODEL.exists():
            say(f"{MODEL} is missing: run `make model` first")
            return 1
        REPORTS.mkdir(exist_ok=True)
        results = {
            "date": time.strftime("%Y-%m-%d %H:%M %Z"),
            "machine": machine_facts(),
            "settings": {"members": MEMBERS, "rounds": ROUNDS, "turns": TURNS, "windows": WINDOWS},
        }
        addresses = SourceAddresses()
        results["sesame"] = sesame_run(addresses) if "sesame" in BOTS else {}
        results["stock"] = stock_run(addresses) if "stock" in BOTS else {}
        results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        json_path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    before_path = REPORTS / "bench_cpu_before.json"
    before = json.loads(before_path.read_text(encoding="utf-8")) if before_path.exists() else None
    md_path.write_text(bench_cpu_report.render(results, before), encoding="utf-8")
    say(md_path.read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
