"""The console's assistant, call-back cards and small states in Chromium (issue 21, items 4, 5 and « Also »).

A real web worker (``python -m bot.web``) on a throw-away SQLite database; in place
of the Rasa server, a stub of its agents' channel answers with chosen intents, so
that a close call (54 % against 45 %) happens on demand. Hand-offs are queued in the
database as the action server queues them. Every new state is audited with axe-core
(WCAG 2.2 A/AA); the page is 1280 px wide, where the two answers sit side by side.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Route, expect
from sqlalchemy import Engine, select

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason
from bot.db.models import Agent, Member, utcnow
from bot.handoffs import queue
from bot.members.lookup import hash_nir
from bot.rules.callback_time import parse_callback_time
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import REPORTS
from tests.support.background import free_port
from tests.support.nirs import with_key
from tests.support.web_workers import start_web, stop_all, wait_until_up

PASSWORD = "Assistant-du-navigateur-2026"  # noqa: S105 - a test account
KEY = "cle-des-nir-du-navigateur"
NIR = with_key("1850775123456")
CLOSE_CALL = "question hésitante"
# What the stub of the agents' channel answers: a close call, or a clear answer.
RANKINGS = {
    CLOSE_CALL: [("out_of_scope", 0.54), ("forgot_access_code", 0.45), ("deny", 0.01)],
    "autre": [("forgot_access_code", 0.91), ("share_access_code", 0.05), ("ask_more", 0.02)],
}

pytestmark = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)


class AgentChannel(BaseHTTPRequestHandler):
    """``POST /webhooks/agent/parse`` of the Rasa server, as far as the web tier can tell."""

    def do_POST(self) -> None:
        question = json.loads(self.rfile.read(int(self.headers["Content-Length"])))["text"]
        ranked = RANKINGS[CLOSE_CALL if question == CLOSE_CALL else "autre"]
        body = json.dumps({"intents": [{"name": n, "confidence": c} for n, c in ranked]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def console_url(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[str]:
    with session_scope(engine) as session:
        for login in ("alice", "bob"):
            accounts.add_agent(session, login, PASSWORD, actor="cli:test", display_name=login.title())
        session.add(
            Member(
                nir_hash=hash_nir(NIR, KEY), first_name="Camille", last_name="Durand",
                email="camille.durand@exemple.test", street="1 rue des Tests",
                postal_code="75001", city="Paris",
            )
        )  # fmt: skip
    rasa = ThreadingHTTPServer(("127.0.0.1", 0), AgentChannel)
    threading.Thread(target=rasa.serve_forever, daemon=True).start()
    port, log = free_port(), tmp_path / "web.log"
    process = start_web(port, db_url, rasa.server_address[1], log, {"NIR_HASH_KEY": KEY})
    try:
        wait_until_up(f"http://127.0.0.1:{port}/", process, log)
        yield f"http://127.0.0.1:{port}/conseiller/"
    finally:
        stop_all([process])
        rasa.shutdown()


@pytest.fixture
def console(browser: Browser, console_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(console_url)
    page.get_by_label("Identifiant").fill("alice")
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("heading", name="Assistant")).to_be_visible()
    yield page
    context.close()
    assert errors == []


def _audit(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n{describe(violations)}"


def _shot(page: Page, name: str) -> None:
    """What the agent sees, for the issue's record (reports/handoff-*.png)."""
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"handoff-{name}.png"), full_page=True)


def test_a_close_call_shows_both_answers_side_by_side_in_french(console: Page) -> None:
    console.get_by_label("Question de l'adhérent, dans vos mots").fill(CLOSE_CALL)
    console.get_by_label("Question de l'adhérent, dans vos mots").press("Enter")
    choices = console.locator("#intentions button")
    expect(choices).to_have_text(["Hors sujet — 54 %", "J'ai oublié mon code d'accès — 45 %", "Non — 1 %"])
    first, second = console.locator("#reponse"), console.locator("#reponse-2")
    expect(second).to_be_visible()
    expect(console.locator("#reponses-proches")).to_be_visible()
    expect(console.locator("#reponse-titre")).to_have_text("Hors sujet")
    expect(console.locator("#reponse-2-titre")).to_have_text("J'ai oublié mon code d'accès")
    # Out of scope: nothing to read out, and never « un conseiller ACS pourra vous aider ».
    expect(console.locator("#reponse-a-dire")).to_be_hidden()
    expect(console.locator("#reponse-a-faire")).to_contain_text("consignes du centre d'appel")
    expect(console.locator("#reponse-2-a-dire")).to_contain_text("nouveau code")
    expect(console.locator("#assistant")).not_to_contain_text("conseiller ACS pourra")
    left, right = first.bounding_box(), second.bounding_box()
    assert left is not None and right is not None
    assert abs(left["y"] - right["y"]) < 2 and right["x"] >= left["x"] + left["width"]  # side by side
    expect(choices.nth(0)).to_have_attribute("aria-pressed", "true")
    expect(choices.nth(1)).to_have_attribute("aria-pressed", "true")
    _audit(console, "two answers side by side")
    _shot(console, "assistant-deux-reponses")
    # One click on another intent: one answer again.
    choices.nth(2).click()
    expect(console.locator("#reponse-titre")).to_have_text("Non")
    expect(second).to_be_hidden()
    expect(console.locator("#reponse-a-faire")).to_contain_text("ce qui l'amène")
    # A clear answer: one block, French names for the runners-up too.
    console.get_by_label("Question de l'adhérent, dans vos mots").fill("autre")
    console.get_by_label("Question de l'adhérent, dans vos mots").press("Enter")
    expect(choices).to_have_text(
        [
            "J'ai oublié mon code d'accès — 91 %",
            "Donne son code d'accès — 5 %",
            "Demande des précisions (« pourquoi ? ») — 2 %",
        ]
    )
    expect(second).to_be_hidden()
    _audit(console, "one answer")


def test_a_call_back_card_shows_the_members_words_and_the_window(console: Page, engine: Engine) -> None:
    now = utcnow()
    window = parse_callback_time("demain vers 17h", now)
    assert window is not None
    with session_scope(engine) as session:
        queue.open_handoff(
            session, conversation_id="conv-rappel", channel="web", kind=HandoffKind.CALLBACK,
            reason=HandoffReason.ASKED, summary="Motif : l'adhérent a demandé à parler à un conseiller.",
            transcript=[], callback_phone="0612345678", callback_slot="demain vers 17h",
            callback_window=(window.start, window.end), now=now,
        )  # fmt: skip
    card = console.locator(".queue-rappel")
    expect(card.locator("dt")).to_have_text(["Téléphone", "L'adhérent a écrit", "À rappeler"])
    expect(card.locator("dd").nth(1)).to_have_text("« demain vers 17h »")
    expect(card.locator("dd").nth(2)).to_have_text("demain entre 16 h 30 et 17 h 30")
    _audit(console, "call-back card")
    _shot(console, "rappel-vers-17h")
    card.get_by_role("button", name="Rappel fait").click()
    expect(card).to_have_count(0)
    expect(console.locator("#file")).to_be_focused()


def test_the_race_losers_message_stays_after_the_refreshes(console: Page, engine: Engine) -> None:
    with session_scope(engine) as session:
        handoff = queue.open_handoff(
            session, conversation_id="conv-course", channel="web", kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED, summary="Motif : l'adhérent a demandé à parler à un conseiller.",
            transcript=[], now=utcnow(),
        )  # fmt: skip
        handoff_id = handoff.id
    take = console.get_by_role("button", name=f"Prendre la discussion en direct n° {handoff_id}")
    expect(take).to_be_visible()
    # Bob is faster: the page's view of the queue stays as it was (a click in the same second).
    frozen: dict[str, bytes] = {}

    def as_before(route: Route) -> None:
        if "body" not in frozen:
            frozen["body"] = route.fetch().body()
        route.fulfill(status=200, content_type="application/json", body=frozen["body"])

    console.route("**/conseiller/api/file", as_before)
    for _ in range(100):
        if "body" in frozen:
            break
        console.wait_for_timeout(100)
    with session_scope(engine) as session:
        bob = session.scalars(select(Agent).where(Agent.login == "bob")).one()
        queue.take(session, handoff_id, bob)
    take.click()
    message = console.locator("#erreur-file")
    expect(message).to_contain_text("déjà été prise par un autre conseiller")
    _audit(console, "race lost")
    # The real queue again: the refreshes show Bob holding it, and the message stays.
    console.unroute("**/conseiller/api/file")
    expect(console.locator(f'li[data-id="{handoff_id}"]')).to_contain_text("Prise par Bob")
    console.wait_for_timeout(6_000)  # two more refreshes (every 2.5 s without push)
    expect(message).to_be_visible()
    expect(message).to_contain_text("déjà été prise par un autre conseiller")


def test_escape_and_cancel_give_the_focus_back_to_the_send_button(console: Page) -> None:
    nir = console.get_by_label("Numéro de Sécurité sociale lu par l'adhérent")
    nir.fill(NIR)
    nir.press("Enter")
    expect(console.locator("#fiche-nom")).to_have_text("Camille Durand")
    # The masked address, checked against the one the caller reads out.
    console.get_by_label("Adresse e-mail lue par l'appelant").fill("Camille.Durand@exemple.test")
    console.get_by_role("button", name="Vérifier l'adresse").click()
    expect(console.locator("#resultat-email")).to_have_text(
        "C'est bien l'adresse e-mail connue d'ACS pour cet adhérent."
    )
    _audit(console, "address checked")
    by_email = console.get_by_role("button", name="Par e-mail…")
    by_email.click()
    expect(console.get_by_role("button", name="Confirmer l'envoi par e-mail")).to_be_focused()
    console.keyboard.press("Escape")
    expect(console.locator("#confirmation")).to_be_hidden()
    expect(by_email).to_be_focused()
    by_letter = console.get_by_role("button", name="Par courrier…")
    by_letter.click()
    console.get_by_role("button", name="Annuler").click()
    expect(console.locator("#confirmation")).to_be_hidden()
    expect(by_letter).to_be_focused()
    _audit(console, "confirmation dismissed")
