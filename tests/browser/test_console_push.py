"""The console in Chromium follows the server's wake-ups (EventSource), across two web workers.

The other browser tests run the demo on SQLite, where the console's stream carries
no wake-up (only its sign of life, bot.agents.presence) and the page keeps its timers.
Here two real web workers share a PostgreSQL database: the console is on worker B, a
hand-off is queued in the database (as the action server does) and the member writes
through worker A. Once the stream is open the console's
timers are slowed to 15 s: the page asks nothing while nothing happens (it would
every 2.5 s for the queue and every second for the conversation without the
stream), and each change still shows within 3 s.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason
from bot.handoffs import queue
from tests.support.background import free_port
from tests.support.web_workers import start_web, stop_all, wait_until_up

PASSWORD = "Relais-du-navigateur-2026"  # noqa: S105 - a test account
MEMBER = "membre-NavigateurPousse0123"
PUSHED_WITHIN_MS = 3_000

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


@pytest.fixture
def two_workers(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[tuple[str, str]]:
    with session_scope(engine) as session:
        accounts.add_agent(session, "alice", PASSWORD, actor="cli:test", display_name="Alice")
    ports = free_port(), free_port()
    logs = [tmp_path / "web-a.log", tmp_path / "web-b.log"]
    rasa_port = free_port()  # nobody answers there: the member only writes to the agent
    processes = [start_web(port, db_url, rasa_port, log) for port, log in zip(ports, logs, strict=True)]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_until_up(url + "/", process, log)
        yield urls[0], urls[1]
    finally:
        stop_all(processes)


def _sign_in(page: Page) -> None:
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("heading", name="File d'attente")).to_be_visible()


def test_the_console_on_one_worker_sees_what_happens_on_the_other(
    browser: Browser, two_workers: tuple[str, str], engine: Engine
) -> None:
    worker_a, worker_b = two_workers
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    errors: list[str] = []
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))

    def reads_during(milliseconds: int, path: str) -> int:
        before = sum(1 for url in asked if path in url)
        page.wait_for_timeout(milliseconds)
        return sum(1 for url in asked if path in url) - before

    try:
        page.goto(worker_b + "/conseiller/")
        _sign_in(page)
        page.wait_for_timeout(1_000)  # the stream opens; the queue is read once more
        assert reads_during(4_000, "/conseiller/api/file") == 0  # the timer now waits 15 s
        with session_scope(engine) as session:
            handoff_id = queue.open_handoff(
                session,
                conversation_id=MEMBER,
                channel="web",
                kind=HandoffKind.LIVE,
                reason=HandoffReason.ASKED,
                summary="Sujets : code d'accès oublié. Numéro vérifié : non.",
                transcript=[{"qui": "adherent", "texte": "je veux parler à un conseiller"}],
            ).id
        item = page.locator(f".queue-item[data-id='{handoff_id}']")
        expect(item).to_be_visible(timeout=PUSHED_WITHIN_MS)
        item.get_by_role("button", name="Prendre").click()
        expect(page.locator("#conversation-bloc")).to_be_visible()
        # The conversation by its reference (for a trainer), never by its id (the member's credential).
        expect(page.locator("#conversation-entete")).to_contain_text(
            re.compile(r"\(conversation [0-9A-Z-]{12}\)")
        )
        assert MEMBER not in page.content()
        page.wait_for_timeout(1_500)  # past the conversation's first read: the next is 15 s away
        assert reads_during(3_000, f"/conseiller/api/prises-en-charge/{handoff_id}") == 0
        said = httpx.post(
            worker_a + "/chat",
            json={"sender": MEMBER, "message": "Bonjour, vous êtes là ?"},
            headers={"Origin": worker_a},
            timeout=10,
        )
        assert said.status_code == 200 and said.json()["handoff"]["etat"] == "en_cours"
        expect(page.locator("#conversation-messages")).to_contain_text(
            "Bonjour, vous êtes là ?", timeout=PUSHED_WITHIN_MS
        )
    finally:
        context.close()
    assert errors == []
