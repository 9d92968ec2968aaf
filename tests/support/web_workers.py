"""Real web workers (``python -m bot.web``) for the tests that need more than one process.

Each worker is its own process on its own port, as behind a load balancer in
production; the tests give them one database (PostgreSQL, to share notifications).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Mapping
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


def start_web(
    port: int, db_url: str, rasa_port: int, log: Path, extra: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        **(extra or {}),
        "WEB_PORT": str(port),
        "RASA_PORT": str(rasa_port),
        "DATABASE_URL": db_url,
        "RESET_URL_BASE": f"http://127.0.0.1:{port}/reinitialiser",
        "PYTHONPATH": str(ROOT),
    }
    with log.open("wb") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )


def wait_until_up(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(url, timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        assert process.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.2)


def stop_all(processes: list[subprocess.Popen[bytes]]) -> None:
    """SIGTERM (uvicorn stops cleanly), then SIGKILL for one that hangs."""
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
