"""The action server refuses every caller but Rasa (shared secret), as a real process."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import ROOT

TOKEN = "t0k3n-for-tests-only-" + "x" * 20
CALL = {
    "next_action": "action_answer_login_problem",
    "sender_id": "essai",
    "version": "3.6.2",
    "tracker": {
        "sender_id": "essai",
        "slots": {},
        "latest_message": {"text": "bonjour", "intent": {"name": "greet"}, "entities": []},
        "events": [],
        "paused": False,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    },
    "domain": {"responses": {}, "slots": {}},
}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def action_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = tmp_path_factory.mktemp("actions") / "actions.log"
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "ACTIONS_PORT": str(port),
        "ACTIONS_TOKEN": TOKEN,
        "INTERNAL_HOST": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{log.parent / 'sesame.db'}",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "actions.server"], cwd=ROOT, env=env, stdout=out, stderr=out
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert process.poll() is None, log.read_text()
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)
    assert TOKEN not in log.read_text(encoding="utf-8")


def test_a_call_without_the_secret_is_refused_in_french(action_server: str) -> None:
    answer = httpx.post(f"{action_server}/webhook", json=CALL)
    assert answer.status_code == 401
    assert "refusé" in answer.json()["error"]


def test_a_wrong_secret_is_refused(action_server: str) -> None:
    for header in (f"Bearer {TOKEN}x", f"Bearer {TOKEN[:-1]}", TOKEN, f"Basic {TOKEN}"):
        answer = httpx.post(f"{action_server}/webhook", json=CALL, headers={"Authorization": header})
        assert answer.status_code == 401, header


def test_the_list_of_actions_is_not_given_to_strangers(action_server: str) -> None:
    assert httpx.get(f"{action_server}/actions").status_code == 401


def test_a_blind_cross_site_text_post_is_refused(action_server: str) -> None:
    answer = httpx.post(
        f"{action_server}/webhook",
        content=b'{"next_action": "action_submit_reset"}',
        headers={"Content-Type": "text/plain", "Origin": "https://attaquant.example"},
    )
    assert answer.status_code == 401
    assert "access-control-allow-origin" not in answer.headers


def test_rasa_with_the_secret_gets_the_action_run(action_server: str) -> None:
    answer = httpx.post(f"{action_server}/webhook", json=CALL, headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200, answer.text
    assert "responses" in answer.json()


def test_even_with_the_secret_only_json_is_accepted(action_server: str) -> None:
    answer = httpx.post(
        f"{action_server}/webhook",
        content=b"{}",
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
    )
    assert answer.status_code == 415


def test_health_is_open_and_says_nothing(action_server: str) -> None:
    answer = httpx.get(f"{action_server}/health")
    assert answer.status_code == 200 and answer.json() == {"status": "ok"}


def test_an_empty_secret_stops_the_server_at_start(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "ACTIONS_TOKEN": "", "ACTIONS_PORT": str(_free_port())}
    done = subprocess.run(
        [sys.executable, "-m", "actions.server"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "ACTIONS_TOKEN est vide" in done.stderr
