"""Keep production mode's processes running: a replica that dies is started again.

``make run`` (``bot.launcher``) stops everything when one process dies: with one copy of
each, nothing could serve anyway. In production mode the balancer sends members to the
replicas still alive, so a replica that dies is named in French and started again after a
short pause (longer if it keeps dying), while the others go on serving.

Each process runs through ``/bin/sh`` in its own session (so a signal reaches its
children too) with its output appended to ``<log dir>/<name>.log``. The process ids are
kept in ``<log dir>/processes.json``, rewritten at every (re)start: the fault tests read
it to kill one replica, as an operator would with ``kill``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bot.production.topology import Process

STOP_SECONDS = 20.0
FIRST_PAUSE_SECONDS = 1.0
LONGEST_PAUSE_SECONDS = 30.0
# A process that has run this long since its last start is healthy again: its pause resets.
HEALTHY_AFTER_SECONDS = 60.0


def answers(url: str) -> bool:
    """True when ``url`` answers 200 (loopback: never through a proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as answer:
            return int(answer.status) == 200
    except (urllib.error.URLError, OSError):
        return False


@dataclass
class Running:
    process: Process
    popen: subprocess.Popen[bytes] | None = None
    log: IO[bytes] | None = None
    started_at: float = 0.0
    pause: float = FIRST_PAUSE_SECONDS
    restart_at: float | None = None
    restarts: int = 0


@dataclass
class Supervisor:
    processes: list[Process]
    env: dict[str, str]
    cwd: Path
    log_dir: Path
    say: Callable[[str, bool], None]
    stopping: threading.Event = field(default_factory=threading.Event)
    failed: threading.Event = field(default_factory=threading.Event)
    _running: dict[str, Running] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def state_file(self) -> Path:
        return self.log_dir / "processes.json"

    def _start(self, running: Running) -> None:
        if running.log is None:
            running.log = (self.log_dir / f"{running.process.name}.log").open("ab")
        running.popen = subprocess.Popen(  # noqa: S603 - our own commands, from the Procfile
            ["/bin/sh", "-c", running.process.command],
            cwd=self.cwd,
            env={**self.env, **running.process.env},
            stdout=running.log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        running.started_at = time.monotonic()
        running.restart_at = None
        self._write_state()

    def _write_state(self) -> None:
        pids = {
            name: running.popen.pid
            for name, running in self._running.items()
            if running.popen is not None and running.popen.poll() is None
        }
        temporary = self.state_file.with_suffix(".tmp")
        temporary.write_text(json.dumps(pids, indent=2), encoding="utf-8")
        temporary.replace(self.state_file)

    def start_all(self) -> None:
        self.log_dir.mkdir(parents=True, exist_ok=True)
        with self._lock:
            for process in self.processes:
                running = Running(process)
                self._running[process.name] = running
                self._start(running)

    def watch_once(self) -> None:
        """One look at every process: a dead one is scheduled for restart, or restarted."""
        now = time.monotonic()
        with self._lock:
            for running in self._running.values():
                if self.stopping.is_set() or running.popen is None:
                    return
                code = running.popen.poll()
                if code is None:
                    if now - running.started_at > HEALTHY_AFTER_SECONDS:
                        running.pause = FIRST_PAUSE_SECONDS
                    continue
                if running.restart_at is None:
                    running.restart_at = now + running.pause
                    self.say(
                        f"ATTENTION : « {running.process.name} » ({running.process.noun}) s'est arrêté "
                        f"(code {code}) ; les autres copies servent les adhérents. Redémarrage dans "
                        f"{running.pause:g} s (journal : {running.process.name}.log).",
                        True,
                    )
                    self._write_state()
                elif now >= running.restart_at:
                    running.restarts += 1
                    running.pause = min(running.pause * 2, LONGEST_PAUSE_SECONDS)
                    self._start(running)
                    self.say(f"« {running.process.name} » redémarré.", False)

    def wait_until_ready(self) -> bool:
        """Every process with a health URL answers (in order), within its own bound."""
        for process in self.processes:
            urls = [url for url in (process.ready_url, *process.also_ready) if url is not None]
            if not urls:
                continue
            deadline = time.monotonic() + process.ready_seconds
            while not all(answers(url) for url in urls):
                if self.stopping.is_set():
                    return False
                if time.monotonic() > deadline:
                    self.say(
                        f"ERREUR : « {process.name} » ({process.noun}) ne répond pas après "
                        f"{process.ready_seconds:g} s : voir {self.log_dir}/{process.name}.log.",
                        True,
                    )
                    self.failed.set()
                    return False
                time.sleep(0.5)
        return True

    def stop_all(self) -> None:
        """SIGTERM to every process group, a bounded wait, then SIGKILL."""
        self.stopping.set()
        with self._lock:
            alive = [
                r.popen for r in self._running.values() if r.popen is not None and r.popen.poll() is None
            ]
            for popen in alive:
                _signal_group(popen, signal.SIGTERM)
            deadline = time.monotonic() + STOP_SECONDS
            for popen in alive:
                try:
                    popen.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    _signal_group(popen, signal.SIGKILL)
                    popen.wait(timeout=10)
            for running in self._running.values():
                if running.log is not None:
                    running.log.close()
            self.state_file.unlink(missing_ok=True)


def _signal_group(popen: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(popen.pid, sig)
    except ProcessLookupError:
        pass
