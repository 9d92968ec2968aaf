"""The real Sésame for the end-to-end tests: every Procfile process, started by the launcher.

One session: the SMTP sink, the mail worker, the web pages, the action server and
the Rasa server, on free ports, with throw-away SQLite databases (members and
conversations), a throw-away mail directory and the demo members — what ``make run``
starts, through the same launcher (``bot.launcher``), so a ``make run`` on the usual
ports is never disturbed.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.support.background import Background, LauncherFailed, free_port, in_background

ROOT = Path(__file__).resolve().parents[2]
# Two cores, shared: a message may wait behind other work.
ANSWER_SECONDS = 60
CHANNEL_TOKEN = "jeton-du-canal-e2e"  # noqa: S105 - a test value


@dataclass
class Sesame:
    """The running services, and where their traces go."""

    rasa_port: int
    web_port: int
    actions_port: int
    tracker_db: Path
    running: Background
    database_url: str = ""

    @property
    def mail_dir(self) -> Path:
        return self.running.mail_dir

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        """One message on Rasa's REST channel; the bot's replies, as JSON."""
        body = json.dumps({"sender": sender, "message": message}).encode()
        request = urllib.request.Request(
            f"http://127.0.0.1:{self.rasa_port}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": "application/json"},
        )
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(request, timeout=ANSWER_SECONDS) as answer:
            replies: list[dict[str, Any]] = json.loads(answer.read())
        return replies

    def chat(self, sender: str, message: str) -> list[dict[str, Any]]:
        """One message through the web tier's ``POST /chat``, as the page's widget sends it."""
        page = f"http://127.0.0.1:{self.web_port}"
        with httpx.Client(trust_env=False, timeout=ANSWER_SECONDS) as client:
            answer = client.post(
                f"{page}/chat", json={"sender": sender, "message": message}, headers={"Origin": page}
            )
        answer.raise_for_status()
        messages: list[dict[str, Any]] = answer.json()["messages"]
        return messages


@pytest.fixture(scope="session")
def sesame(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sesame]:
    model = ROOT / "models" / "sesame.tar.gz"
    if not model.exists():
        pytest.fail("models/sesame.tar.gz is missing: run `make model` first")
    tmp = tmp_path_factory.mktemp("e2e")
    rasa_port, web_port, actions_port = free_port(), free_port(), free_port()
    tracker_db = tmp / "tracker.db"
    environment = {
        "DATABASE_URL": f"sqlite:///{tmp / 'sesame.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tracker_db}",
        "ACTIONS_PORT": str(actions_port),
        "RASA_PORT": str(rasa_port),
        "WEB_PORT": str(web_port),
        "RESET_URL_BASE": f"http://127.0.0.1:{web_port}/reinitialiser",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "SMTP_STARTTLS": "false",
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        # Fixed rather than drawn by the launcher: the model-loading test signs its requests.
        "CHANNEL_TOKEN": CHANNEL_TOKEN,
    }
    try:
        with in_background(tmp / "run", environment, None, model) as running:
            sesame = Sesame(
                rasa_port, web_port, actions_port, tracker_db, running, environment["DATABASE_URL"]
            )
            try:
                sesame.send("prechauffage", "bonjour")  # the model's first prediction is the slow one
            except (urllib.error.URLError, OSError) as error:
                pytest.fail(f"Rasa does not answer a first message ({error}):\n{running.report()}")
            yield sesame
    except LauncherFailed as failure:
        pytest.fail(str(failure))
