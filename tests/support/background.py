"""Sésame started as a subprocess for a test or a bench: the launcher, or production mode.

The browser, end-to-end and replica tests and ``scripts/bench*.py`` start exactly what
``make run`` (``python -m bot.launcher``) or ``make run-prod`` (``python -m
bot.production``) starts, with their own environment (ports, throw-away databases), a
log and mail directory of their own and a ready file, and stop it with SIGTERM. Only
tests and benches do that, so it lives here, not in ``bot/``: both entry points share
one start-up wait (``ready_then_stopped``) and one stop.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bot.launcher import DEFAULT_MODEL
from bot.launcher import STOP_SECONDS as LAUNCHER_STOP_SECONDS
from bot.production.supervisor import STOP_SECONDS as PRODUCTION_STOP_SECONDS
from bot.settings import PROJECT_ROOT


class LauncherFailed(RuntimeError):
    """The launcher stopped, or never said it was ready; ``str()`` holds its output and logs."""


class ProductionFailed(RuntimeError):
    """Production mode stopped, or never said it was ready; ``str()`` holds its output and logs."""


@dataclass
class Background:
    """A launcher started by ``in_background``: where its logs and mails go."""

    process: subprocess.Popen[bytes]
    log_dir: Path
    mail_dir: Path
    output: Path  # the launcher's own terminal output

    def report(self, lines: int = 25) -> str:
        """The launcher's output and the end of each log, for a failure message."""
        parts = [self.output.read_text(encoding="utf-8", errors="replace")]
        for log in sorted(self.log_dir.glob("*.log")):
            tail = log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:]
            parts.append(f"--- {log.name}\n" + "\n".join(tail))
        return "\n".join(parts)


class ProductionBackground(Background):
    """Production mode started by ``production_in_background``: the launcher's, plus which pids run."""

    @property
    def run_dir(self) -> Path:
        return self.log_dir.parent

    def pids(self) -> dict[str, int]:
        return {k: int(v) for k, v in json.loads((self.log_dir / "processes.json").read_text()).items()}


def free_port(avoid: frozenset[int] = frozenset({1025, 5005, 5055, 8080})) -> int:
    """A port free right now on 127.0.0.1, never one a ``make run`` may be using."""
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port not in avoid:
            return port


def _start(command: list[str], environment: dict[str, str], output: Path) -> subprocess.Popen[bytes]:
    with output.open("wb") as sink:
        return subprocess.Popen(  # noqa: S603 - our own entry points, fixed arguments
            command,
            cwd=PROJECT_ROOT,
            env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), **environment},
            stdout=sink,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a Ctrl-C meant for pytest reaches it through our SIGTERM only
        )


@contextmanager
def ready_then_stopped(
    background: Background,
    ready_file: Path,
    ready_seconds: float,
    stop_seconds: float,
    failure: type[RuntimeError],
    what: str,
) -> Iterator[None]:
    """Until the block ends: wait for ``ready_file`` (``failure`` if the process stops or
    the time runs out, with its output and logs), then SIGTERM and a bounded wait."""
    process = background.process
    try:
        deadline = time.monotonic() + ready_seconds
        while not ready_file.exists():
            if process.poll() is not None:
                raise failure(f"{what} stopped during start-up:\n{background.report()}")
            if time.monotonic() > deadline:
                raise failure(f"not ready after {ready_seconds:g} s:\n{background.report()}")
            time.sleep(0.5)
        yield
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=stop_seconds)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)


@contextmanager
def in_background(
    workdir: Path,
    environment: dict[str, str],
    processes: list[str] | None = None,
    model: Path = DEFAULT_MODEL,
    ready_seconds: float = 420,
) -> Iterator[Background]:
    """Run ``python -m bot.launcher`` as a subprocess until the block ends (then SIGTERM).

    ``environment`` overrides settings (ports, throw-away databases), logs and mails go
    under ``workdir``. Returns once the launcher says every service answers;
    ``LauncherFailed`` if it stops first.
    """
    workdir.mkdir(parents=True, exist_ok=True)
    ready_file, log_dir, mail_dir = workdir / "ready", workdir / "log", workdir / "mail"
    command = [sys.executable, "-m", "bot.launcher", *(processes or [])]
    command += ["--log-dir", str(log_dir), "--mail-dir", str(mail_dir)]
    command += ["--model", str(model), "--ready-file", str(ready_file)]
    output = workdir / "launcher-output.txt"
    background = Background(_start(command, environment, output), log_dir, mail_dir, output)
    stop_seconds = LAUNCHER_STOP_SECONDS + 15
    failure, what = LauncherFailed, "the launcher"
    with ready_then_stopped(background, ready_file, ready_seconds, stop_seconds, failure, what):
        yield background


@contextmanager
def production_in_background(
    run_dir: Path,
    env_file: Path,
    environment: dict[str, str],
    model: Path = DEFAULT_MODEL,
    ready_seconds: float = 600,
) -> Iterator[ProductionBackground]:
    """Run ``python -m bot.production`` until the block ends (then SIGTERM): for tests and the bench."""
    run_dir.mkdir(parents=True, exist_ok=True)
    ready_file = run_dir / "ready"
    command = [sys.executable, "-m", "bot.production", "--env-file", str(env_file), "--run-dir", str(run_dir)]
    command += ["--model", str(model), "--ready-file", str(ready_file)]
    output = run_dir / "output.txt"
    background = ProductionBackground(
        _start(command, environment, output), run_dir / "log", run_dir / "mail", output
    )
    stop_seconds = PRODUCTION_STOP_SECONDS + 20
    failure, what = ProductionFailed, "production mode"
    with ready_then_stopped(background, ready_file, ready_seconds, stop_seconds, failure, what):
        yield background
