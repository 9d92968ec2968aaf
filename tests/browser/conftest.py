"""What every browser test shares: the real Sésame behind a free port, and Debian's Chromium.

A session fixture starts the action server, the Rasa server with the trained model and
the web server through the launcher (``bot.launcher``, as ``make run`` does) on free
ports, with throw-away SQLite databases, so a ``make run`` on the usual ports is never
disturbed. Chromium is Debian's (``/usr/bin/chromium``), driven by Playwright: no
browser is downloaded. Screenshots go to ``reports/``.
"""

from __future__ import annotations

import json
import shutil
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Playwright, sync_playwright

from bot.settings import MODELS_VARIABLE
from bot.workbench.previews import PREVIEW_PARTS
from tests.support.background import LauncherFailed, free_port, in_background

ROOT = Path(__file__).resolve().parents[2]
REPORTS = ROOT / "reports"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The machine has two cores and may be busy with other work: be patient with the bot.
ANSWER_TIMEOUT_MS = 60_000

# AGENT_PRESENCE_SECONDS and HANDOFF_WAIT_OFFER_SECONDS of the running services.
PRESENCE_SECONDS = 10
WAIT_OFFER_SECONDS = 25

# The member database of the running services, for the tests that need it.
MEMBER_DB: dict[str, str] = {}
# The throw-away copy of the project the workbench (/atelier/) of the running services
# reads and writes (WORKBENCH_ROOT): the browser tests never change the real data files.
WORKBENCH: dict[str, Path] = {}  # "root", and "models": SESAME_MODELS_DIR of the services
WORKBENCH_PARTS = (
    *PREVIEW_PARTS,
    # The lint counts a response said by the code as used (bot/training/lint.py).
    "actions",
    "bot",
    "rasa_addons",
)


def copy_project(into: Path) -> Path:
    for part in WORKBENCH_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, into / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (into / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / part)
    return into


def copy_models(into: Path) -> Path:
    """The startup model and its evaluation (the baseline make model wrote), in a folder of their own."""
    into.mkdir(parents=True)
    shutil.copy2(ROOT / "models" / "sesame.tar.gz", into / "sesame.tar.gz")
    if (ROOT / "models" / "evaluations").is_dir():
        shutil.copytree(ROOT / "models" / "evaluations", into / "evaluations")
    return into


# --- the services ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def sesame_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The demo page's URL, with the action server, Rasa and the web pages behind it.

    Started by the launcher (``bot.launcher``, the Procfile) as ``make run`` starts them,
    on free ports with throw-away SQLite databases.
    """
    if not (ROOT / "models" / "sesame.tar.gz").exists():
        pytest.fail("models/sesame.tar.gz is missing: run `make model` first")
    tmp = tmp_path_factory.mktemp("sesame")
    MEMBER_DB["url"] = f"sqlite:///{tmp / 'sesame.db'}"
    WORKBENCH["root"] = copy_project(tmp / "projet")
    WORKBENCH["models"] = copy_models(tmp / "modeles")
    rasa_port, web_port = free_port(), free_port()
    environment = {
        "DATABASE_URL": f"sqlite:///{tmp / 'sesame.db'}",
        "TRACKER_STORE_URL": f"sqlite:///{tmp / 'tracker.db'}",
        "ACTIONS_PORT": str(free_port()),
        "RASA_PORT": str(rasa_port),
        "WEB_PORT": str(web_port),
        "RESET_URL_BASE": f"http://127.0.0.1:{web_port}/reinitialiser",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "WORKBENCH_ROOT": str(WORKBENCH["root"]),
        # The model history and the evaluations too (a promotion, a rollback): never this project's.
        MODELS_VARIABLE: str(WORKBENCH["models"]),
        # Presence and the wait's call-back offer, short enough to be waited for
        # (tests/browser/test_handoff_presence.py); the consoles read every 3 s or so.
        "AGENT_PRESENCE_SECONDS": str(PRESENCE_SECONDS),
        "HANDOFF_WAIT_OFFER_SECONDS": str(WAIT_OFFER_SECONDS),
    }
    try:
        model = WORKBENCH["models"] / "sesame.tar.gz"
        with in_background(tmp / "run", environment, ["web", "actions", "rasa"], model) as running:
            # One message first: the model's first prediction is the slow one.
            warm_up = json.dumps({"sender": "prechauffage", "message": "bonjour"}).encode()
            if not _answers(f"http://127.0.0.1:{rasa_port}/webhooks/rest/webhook", warm_up):
                pytest.fail(f"Rasa does not answer a first message:\n{running.report()}")
            yield f"http://127.0.0.1:{web_port}/"
    except LauncherFailed as failure:
        pytest.fail(str(failure))


def _answers(url: str, body: bytes) -> bool:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"})  # noqa: S310 - our own http URL
        with opener.open(request, timeout=120) as answer:
            return int(answer.status) == 200
    except (urllib.error.URLError, OSError):
        return False


# --- the browser -----------------------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail("/usr/bin/chromium is missing: `make browser-test` installs Debian's chromium")
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()
