"""``python -m bot.web``: uvicorn serves the app, masks tokens in its log, stops cleanly.

The one test that runs the real server process, as ``make run`` and the browser
tests start it: a malformed request line, a reset link in the log, then a signal.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOKEN = "Zq3x9bT4mWkLpR2sYvN8cAtokentoken"  # noqa: S105 - shaped like a token, stored nowhere


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, Message]:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=5) as answer:
            return answer.status, answer.headers
    except urllib.error.HTTPError as error:
        return error.code, error.headers


@pytest.mark.parametrize("stop_with", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_the_server_masks_tokens_and_stops_cleanly(tmp_path: Path, stop_with: signal.Signals) -> None:
    port = _free_port()
    env = {
        **os.environ,
        "WEB_PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'sesame.db'}",
        "RESET_URL_BASE": f"http://127.0.0.1:{port}/reinitialiser",
        "PYTHONPATH": str(ROOT),
    }
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, headers = _get(f"http://127.0.0.1:{port}/")
                break
            except OSError:
                assert process.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        assert status == 200
        assert headers["Server"] == "Sesame"  # no uvicorn, no Python version
        # The database has no tables: a look-up fails, and the 500 logs no SQL.
        status, _ = _get(f"http://127.0.0.1:{port}/reinitialiser/{TOKEN}")
        assert status == 500
        with socket.create_connection(("127.0.0.1", port), timeout=10) as raw:
            raw.sendall(f"GET /reinitialiser/{TOKEN} extra junk\r\n\r\n".encode())
            answer = b"".join(iter(lambda: raw.recv(4096), b""))
        assert answer.startswith(b"HTTP/1.1 400")
        process.send_signal(stop_with)
        assert process.wait(timeout=20) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)
    text = log.read_text(encoding="utf-8")
    assert '"GET /reinitialiser/[masqué] HTTP/1.1" 500' in text
    assert "OperationalError on GET /reinitialiser/[masqué]" in text
    assert TOKEN not in text
    assert "no such table" not in text and "SELECT" not in text  # the exception's message
    assert "web pages stopped" in text


def test_production_with_the_development_keys_refuses_to_serve() -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SESAME_MODE": "production",
        "ACTIONS_TOKEN": "x" * 40,
        "CHANNEL_TOKEN": "y" * 40,
    }
    env.pop("NIR_HASH_KEY", None)
    env.pop("CSRF_SECRET", None)
    done = subprocess.run(
        [sys.executable, "-m", "bot.web"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert "Démarrage refusé" in done.stderr
