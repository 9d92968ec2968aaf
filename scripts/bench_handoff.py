"""Time from an agent's message to its display in the member's widget (issue #12).

The web tier is started by the launcher (``bot.launcher``, as ``make run`` starts it)
on a free port with a throw-away SQLite database; Rasa is not needed, since the bot
stays silent while an agent holds the conversation. An agent account is created and
signs in over HTTP; a member conversation is put into a live hand-off through
``bot.handoffs.queue`` and taken by the agent through the console API. Debian's
Chromium (Playwright) opens the demo page with that conversation in its widget state,
so the widget follows the hand-off by Server-Sent Events (``GET /chat/flux``).

Then, ``MESSAGES`` times: ``time.time()`` just before the agent's ``POST …/messages``
(httpx), and ``Date.now()`` recorded in the page by a MutationObserver when the text
appears in the widget; same machine, same clock. Median and p95 in ms are printed and
written to reports/bench_handoff.json. Run with `make bench-handoff`.
"""

from __future__ import annotations

import json
import math
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
from playwright.sync_api import sync_playwright
from sqlalchemy import create_engine

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole, HandoffKind, HandoffReason
from bot.handoffs import queue
from bot.web.routes.live import POLL_SECONDS
from tests.support.background import free_port, in_background

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
MESSAGES = 20
LOGIN = "mesure"
PASSWORD = "Chronometre-du-relais-2026"  # noqa: S105 - a throw-away account
SENDER = "mesure-relais-0123456789abcdef"
STORE_KEY = "sesame.chat.v1"

# Date.now() in the page for each agent message, keyed by its text, as soon as it is in the log.
OBSERVER = """() => {
  window.__shown = {};
  new MutationObserver((records) => {
    const now = Date.now();
    for (const record of records) {
      for (const node of record.addedNodes) {
        if (node.nodeType === 1 && node.classList.contains("sesame-msg-agent")) {
          // The message's own text, after the hidden "Conseiller ACS :" for screen readers.
          const text = node.querySelector(".sesame-msg-text").lastChild.textContent;
          if (!(text in window.__shown)) { window.__shown[text] = now; }
        }
      }
    }
  }).observe(document.body, { childList: true, subtree: true });
}"""


def _percentile(values: list[float], share: float) -> float:
    """Nearest rank: the smallest value with at least ``share`` of the values at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _prepare(database_url: str) -> int:
    """The agent's account and the member's live hand-off (waiting); its id."""
    engine = create_engine(database_url)
    with session_scope(engine) as session:
        accounts.add_agent(
            session, LOGIN, PASSWORD, actor="cli:bench", display_name="Mesure", role=AgentRole.CONSEILLER
        )
        handoff = queue.open_handoff(
            session,
            conversation_id=SENDER,
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Mesure de latence.",
            transcript=[{"qui": "adherent", "texte": "je veux parler à un conseiller"}],
        )
        handoff_id = handoff.id
    engine.dispose()
    return handoff_id


def measure(base: str, handoff_id: int) -> list[float]:
    origin = {"Origin": base}
    with httpx.Client(base_url=base, timeout=10, trust_env=False) as agent:
        signed_in = agent.post(
            "/conseiller/connexion",
            data={"identifiant": LOGIN, "mot_de_passe": PASSWORD},
            headers=origin,
            follow_redirects=False,
        )
        if signed_in.status_code != 303:
            raise RuntimeError(f"sign-in refused: {signed_in.status_code}")
        taken = agent.post(f"/conseiller/api/prises-en-charge/{handoff_id}/prendre", headers=origin)
        taken.raise_for_status()

        with sync_playwright() as driver:
            browser = driver.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
            page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="fr-FR")
            page.goto(base + "/")
            state = {
                "sender": SENDER,
                "log": [],
                "queue": [],
                "greeted": True,
                "open": True,
                "handoff": {"id": handoff_id, "etat": "en_cours", "position": 0, "conseiller": "Mesure"},
                "lastEvent": 0,
            }
            page.evaluate(
                "([key, state]) => sessionStorage.setItem(key, state)", [STORE_KEY, json.dumps(state)]
            )
            page.reload()  # the widget reads its state and opens the stream
            page.wait_for_selector(".sesame-handoff:not([hidden])")
            page.evaluate(OBSERVER)

            latencies = []
            for index in range(1, MESSAGES + 1):
                text = f"Message de mesure n° {index}"
                time.sleep(random.uniform(0.2, 0.6))  # spread over the stream's poll phase
                sent = time.time()
                said = agent.post(
                    f"/conseiller/api/prises-en-charge/{handoff_id}/messages",
                    json={"texte": text},
                    headers=origin,
                )
                said.raise_for_status()
                page.wait_for_function("(text) => text in window.__shown", arg=text, timeout=10_000)
                shown_ms = page.evaluate("(text) => window.__shown[text]", text)
                latencies.append(shown_ms - sent * 1000)
            browser.close()
    return latencies


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="sesame-bench-handoff-") as tmp:
        workdir = Path(tmp)
        web_port = free_port()
        database_url = f"sqlite:///{workdir / 'sesame.db'}"
        env = {
            "DATABASE_URL": database_url,
            "WEB_PORT": str(web_port),
            "RASA_PORT": str(free_port()),  # nothing listens there: the bot is silent anyway
        }
        with in_background(workdir / "run", env, ["web"], ROOT / "models" / "sesame.tar.gz"):
            handoff_id = _prepare(database_url)
            latencies = measure(f"http://127.0.0.1:{web_port}", handoff_id)
    report = {
        "messages": len(latencies),
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(_percentile(latencies, 0.95), 1),
        "min_ms": round(min(latencies), 1),
        "max_ms": round(max(latencies), 1),
        "stream_poll_seconds": POLL_SECONDS,
    }
    (ROOT / "reports").mkdir(exist_ok=True)
    (ROOT / "reports" / "bench_handoff.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    print(
        f"Message du conseiller → affiché dans le widget, {report['messages']} messages : "
        f"médiane {report['median_ms']} ms, p95 {report['p95_ms']} ms "
        f"(min {report['min_ms']}, max {report['max_ms']})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
