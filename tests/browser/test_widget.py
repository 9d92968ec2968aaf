"""The chat widget in a real browser, against the real Sésame: ``make browser-test``.

Debian's Chromium (``/usr/bin/chromium``, installed by the Makefile), driven by
Playwright for Python through its bundled driver: no browser is downloaded. A
session fixture starts the action server, the Rasa server with the trained model and
the web server through the launcher (``bot.launcher``, as ``make run`` does) on free
ports, with throw-away SQLite databases, so a ``make run`` on the usual ports is never
disturbed. Screenshots go to ``reports/``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Dialog,
    Page,
    Route,
    expect,
)
from sqlalchemy import create_engine, select

from bot.db.engine import session_scope
from bot.db.enums import ResetChannel
from bot.db.models import AnswerFeedback, Member, ResetRequest, utcnow
from bot.rules.tokens import mint_token
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ANSWER_TIMEOUT_MS, MEMBER_DB, REPORTS
from tests.support.nirs import with_key

FORGOT = "j'ai oublié mon code d'accès"
YES_BUTTON = "Oui, recevoir un nouveau code"
BUBBLE = re.compile(r"Besoin d.aide.*Discuter avec Sésame")


@dataclass
class Visit:
    """One browser tab on the demo page, with what went wrong in it."""

    page: Page
    url: str
    errors: list[str]
    dialogs: list[str]

    @property
    def panel(self) -> Any:
        return self.page.get_by_role("dialog", name="Sésame, l'assistant ACS")

    @property
    def log(self) -> Any:
        return self.page.get_by_role("log")

    @property
    def bubble(self) -> Any:
        return self.page.get_by_role("button", name=BUBBLE)

    @property
    def input(self) -> Any:
        return self.page.get_by_label("Votre message à Sésame")

    def bot_messages(self) -> Any:
        return self.page.locator(".sesame-msg-bot .sesame-msg-text")

    def open_chat(self) -> None:
        self.bubble.click()
        expect(self.panel).to_be_visible()
        expect(self.log).to_contain_text("Que puis-je faire pour vous", timeout=ANSWER_TIMEOUT_MS)

    def say(self, text: str) -> None:
        self.input.fill(text)
        self.input.press("Enter")


def _visit(browser: Browser, url: str, width: int, height: int) -> Iterator[Visit]:
    context: BrowserContext = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    visit = Visit(page, url, [], [])
    page.on("pageerror", lambda error: visit.errors.append(str(error)))
    page.on("console", lambda message: visit.errors.append(message.text) if message.type == "error" else None)

    def on_dialog(dialog: Dialog) -> None:
        visit.dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto(url)
    yield visit
    context.close()


@pytest.fixture
def desktop(browser: Browser, sesame_url: str) -> Iterator[Visit]:
    yield from _visit(browser, sesame_url, 1280, 800)


@pytest.fixture
def phone(browser: Browser, sesame_url: str) -> Iterator[Visit]:
    yield from _visit(browser, sesame_url, 360, 740)


def _screenshot(page: Page, name: str) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / name))


# --- the tests ---------------------------------------------------------------------------


def test_conversation_with_buttons_survives_a_reload(desktop: Visit) -> None:
    page = desktop.page
    expect(desktop.panel).to_be_hidden()
    expect(desktop.bubble).to_have_attribute("aria-expanded", "false")
    desktop.open_chat()
    expect(desktop.bubble).to_be_hidden()
    expect(desktop.panel).to_have_attribute("aria-modal", "false")
    expect(desktop.log).to_have_attribute("aria-live", "polite")
    expect(desktop.input).to_be_focused()

    desktop.say(FORGOT)
    expect(page.locator(".sesame-msg-me").last).to_have_text(re.compile(FORGOT))
    expect(desktop.log).to_contain_text("nouveau code d'accès", timeout=ANSWER_TIMEOUT_MS)
    yes = page.get_by_role("button", name=YES_BUTTON)
    expect(yes).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.get_by_role("group", name="Réponses proposées")).to_have_count(1)  # the greeting's are gone

    yes.click()
    expect(page.locator(".sesame-msg-me").last).to_have_text(
        re.compile(YES_BUTTON)
    )  # the title, not "/affirm"
    expect(desktop.bot_messages().last).to_contain_text(
        "Quel est votre numéro de Sécurité sociale", timeout=ANSWER_TIMEOUT_MS
    )
    expect(yes).to_have_count(0)
    expect(desktop.input).to_be_focused()
    _screenshot(page, "widget-desktop.png")

    sender = page.evaluate("JSON.parse(sessionStorage.getItem('sesame.chat.v1')).sender")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", sender)
    page.reload()
    expect(desktop.panel).to_be_visible()
    expect(desktop.log).to_contain_text(FORGOT)
    expect(desktop.log).to_contain_text("nouveau code d'accès")
    expect(desktop.bot_messages().last).to_contain_text("Quel est votre numéro de Sécurité sociale")
    expect(page.get_by_role("button", name=YES_BUTTON)).to_have_count(0)
    assert page.evaluate("JSON.parse(sessionStorage.getItem('sesame.chat.v1')).sender") == sender
    assert sender not in page.url
    assert desktop.errors == [] and desktop.dialogs == []


def test_typing_indicator_while_the_bot_works(desktop: Visit) -> None:
    page = desktop.page
    # The widget's own « Bonjour » on opening is marked: the member did not type it (issue #22).
    with page.expect_request("**/chat") as greeting:
        desktop.open_chat()
    assert (greeting.value.post_data_json or {})["automatique"] is True
    held: list[Route] = []
    page.route("**/chat", lambda route: held.append(route))
    desktop.say("c'est quoi le code d'accès")
    typing = page.get_by_role("status").filter(has_text="Sésame écrit…")
    expect(typing).to_be_visible()
    deadline = time.monotonic() + 10
    while not held and time.monotonic() < deadline:
        page.wait_for_timeout(50)  # lets the route handler run
    assert held, "the widget did not call /chat"
    assert "automatique" not in (held[0].request.post_data_json or {})  # typed by the member
    page.wait_for_timeout(300)
    expect(typing).to_be_visible()  # still there while the request is held
    held[0].continue_()
    page.unroute("**/chat")
    expect(desktop.bot_messages()).to_have_count(2, timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator(".sesame-typing")).not_to_contain_text("Sésame écrit")


def test_keyboard_only(desktop: Visit) -> None:
    page = desktop.page
    keyboard = page.keyboard

    def focused(selector: str) -> bool:
        return bool(
            page.evaluate(f"!!document.activeElement && document.activeElement.matches({selector!r})")
        )

    for _ in range(20):
        keyboard.press("Tab")
        if focused(".sesame-bubble"):
            break
    assert focused(".sesame-bubble"), "Tab never reached the chat bubble"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline == "solid"  # visible focus

    keyboard.press("Enter")
    expect(desktop.panel).to_be_visible()
    expect(desktop.input).to_be_focused()
    expect(desktop.log).to_contain_text("Que puis-je faire pour vous", timeout=ANSWER_TIMEOUT_MS)
    keyboard.type(FORGOT)
    keyboard.press("Enter")
    expect(page.get_by_role("button", name=YES_BUTTON)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)

    for _ in range(10):
        keyboard.press("Shift+Tab")
        if page.evaluate("document.activeElement.textContent") == YES_BUTTON:
            break
    assert focused(".sesame-choice") and page.evaluate("document.activeElement.textContent") == YES_BUTTON
    keyboard.press("Space")
    expect(desktop.bot_messages().last).to_contain_text(
        "Quel est votre numéro de Sécurité sociale", timeout=ANSWER_TIMEOUT_MS
    )
    expect(desktop.input).to_be_focused()

    keyboard.press("Escape")
    expect(desktop.panel).to_be_hidden()
    assert focused(".sesame-bubble")
    expect(desktop.bubble).to_have_attribute("aria-expanded", "false")
    assert desktop.errors == []


def test_phone_360px_and_the_forgotten_code_link(phone: Visit) -> None:
    page = phone.page
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    page.get_by_role("link", name="Vous avez oublié votre code d'accès ou vous souhaitez l'obtenir").click()
    expect(phone.panel).to_be_visible()
    expect(page.locator(".sesame-msg-me").first).to_have_text(re.compile("J'ai oublié mon code d'accès"))
    expect(page.get_by_role("button", name=YES_BUTTON)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    box = phone.panel.bounding_box()
    assert box is not None and box["x"] == 0 and box["width"] == 360 and box["height"] == 740
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    assert page.url.endswith("/")  # the link did not navigate
    _screenshot(page, "widget-360.png")
    assert phone.errors == []


def test_bot_text_is_text_with_safe_links_only(desktop: Visit) -> None:
    page = desktop.page
    rendered = page.evaluate(
        """(text) => {
            const box = document.createElement('div');
            box.appendChild(window.SesameChat.renderBotText(text));
            document.body.appendChild(box);
            return {
                elements: [...box.querySelectorAll('*')].map((node) => node.tagName),
                links: [...box.querySelectorAll('a')].map((a) => ({
                    href: a.getAttribute('href'), text: a.textContent, rel: a.rel, target: a.target})),
                text: box.textContent,
            };
        }""",
        "<img src=x onerror=alert(1)> [site](https://acs-assurances.cpms.fr) [bad](javascript:alert(1))",
    )
    assert rendered["elements"] == ["A", "SPAN"]  # the link and its « (nouvel onglet) » for screen readers
    assert rendered["links"] == [
        {
            "href": "https://acs-assurances.cpms.fr/",
            "text": "site (nouvel onglet)",
            "rel": "noopener noreferrer",
            "target": "_blank",
        }
    ]
    assert "<img src=x onerror=alert(1)>" in rendered["text"]
    assert "[bad](javascript:alert(1))" in rendered["text"]

    # The same through the widget, with the answer forged on the way.
    desktop.open_chat()
    forged = {
        "messages": [
            {
                "text": "<script>window.pwned = 1</script><b>gras</b>\nLigne 2 [aide](https://acs-assurances.cpms.fr/aide)",
                "buttons": [{"title": "<i>bouton</i>", "payload": "/affirm"}],
            }
        ]
    }
    page.route("**/chat", lambda route: route.fulfill(status=200, json=forged))
    desktop.say("test")
    last = desktop.bot_messages().last
    expect(last).to_contain_text("<script>window.pwned = 1</script><b>gras</b>")
    expect(page.get_by_role("button", name="<i>bouton</i>")).to_be_visible()
    assert last.locator("script, b, i").count() == 0
    assert last.get_by_role("link").get_attribute("href") == "https://acs-assurances.cpms.fr/aide"
    assert page.evaluate("window.pwned") is None
    assert desktop.dialogs == []


def test_server_unreachable_then_back(desktop: Visit) -> None:
    page = desktop.page
    desktop.open_chat()
    banner = page.locator(".sesame-offline")

    # The network fails: the message is kept, the member is told, retries happen by themselves.
    page.route("**/chat", lambda route: route.abort("connectionrefused"))
    desktop.say(FORGOT)
    expect(banner).to_be_visible()
    expect(banner).to_contain_text(
        re.compile(r"Connexion au service interrompue\. Nouvelle tentative (dans \d+\ss|en)")
    )
    expect(page.get_by_role("button", name="Réessayer maintenant")).to_be_visible()
    expect(page.locator(".sesame-msg-me").last).to_have_text(re.compile(FORGOT))
    # Even a reload while offline loses nothing: the queue is in sessionStorage.
    page.reload()
    expect(banner).to_be_visible()
    page.unroute("**/chat")
    expect(page.get_by_role("button", name=YES_BUTTON)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(banner).to_be_hidden()
    expect(page.locator(".sesame-msg-me")).to_have_count(1)  # sent once, shown once

    # Sésame's server answers 503: same banner; « Réessayer maintenant » does not wait.
    page.route(
        "**/chat",
        lambda route: route.fulfill(status=503, json={"error": "Sésame est momentanément indisponible."}),
    )
    page.get_by_role("button", name=YES_BUTTON).click()
    expect(banner).to_be_visible()
    page.unroute("**/chat")
    page.get_by_role("button", name="Réessayer maintenant").click()
    expect(desktop.bot_messages().last).to_contain_text(
        "Quel est votre numéro de Sécurité sociale", timeout=ANSWER_TIMEOUT_MS
    )
    expect(banner).to_be_hidden()


def _stored_chat(page: Page) -> str:
    """The widget's sessionStorage, without the random conversation id (which may hold digits)."""
    raw = page.evaluate("() => JSON.stringify(Object.assign({}, window.sessionStorage))")
    stored = json.loads(raw)
    text = "".join(stored.values())
    for value in stored.values():
        sender = json.loads(value).get("sender") if value.startswith("{") else None
        if isinstance(sender, str):
            text = text.replace(sender, "")
    return text


def test_a_secret_typed_offline_never_reaches_storage(desktop: Visit) -> None:
    page = desktop.page
    desktop.open_chat()
    # Spellings of issue 20: bars, an invisible separator, a combining grapheme joiner.
    nir = "1|84|12|75|108\u2063234\u034f" + with_key("1841275108234")[13:]
    page.route("**/chat", lambda route: route.abort("connectionrefused"))
    desktop.say(f"mon numéro est {nir}")
    desktop.say("et mon code c'est 482|913")
    desktop.say(FORGOT)  # no secret: this one waits in sessionStorage as before
    expect(page.locator(".sesame-offline")).to_be_visible()
    expect(page.locator(".sesame-msg-me")).to_have_count(3)

    stored = _stored_chat(page)
    assert FORGOT in stored
    digits = "".join(ch for ch in stored if ch.isdigit())
    for fragment in ("108", "234", "1841275", "482", "913"):
        assert fragment not in stored, f"{fragment!r} in sessionStorage"
    assert "1841275108234" not in digits

    # After a reload the secret messages are gone; the log says so, the other one is sent.
    page.reload()
    notes = page.locator(".sesame-msg-note")
    expect(notes).to_have_count(2)
    expect(notes.first).to_contain_text("Message non envoyé")
    expect(notes.first).to_contain_text("Tapez-le à nouveau")
    expect(desktop.log).to_contain_text("non envoyé")  # inside the log: read by screen readers
    page.unroute("**/chat")
    expect(page.get_by_role("button", name=YES_BUTTON)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(page.locator(".sesame-msg-me")).to_have_count(3)
    _assert_accessible(page, "messages non envoyés après un rechargement")
    stored = _stored_chat(page)
    assert not any(fragment in stored for fragment in ("108", "234", "482", "913"))


def test_too_long_a_message_gets_a_french_error(desktop: Visit) -> None:
    page = desktop.page
    desktop.open_chat()
    # maxlength stops a typed or pasted message at 2,000 characters; the server's 413 is shown all the same.
    page.route(
        "**/chat",
        lambda route: route.fulfill(
            status=413, json={"error": "Votre message est trop long : 2 000 caractères au plus."}
        ),
    )
    desktop.say("a" * 2500)
    expect(page.locator(".sesame-msg-me").last).to_have_text(re.compile(r"^Vous\s:\sa{2000}$"))
    expect(page.locator(".sesame-msg-note")).to_contain_text("Votre message est trop long")
    expect(page.locator(".sesame-offline")).to_be_hidden()


def _contrast_report(page: Page) -> list[dict[str, Any]]:
    return list(
        page.evaluate(
            """() => {
            const parse = (c) => c.match(/[\\d.]+/g).map(Number);
            const lum = ([r, g, b]) => {
                const f = (v) => {
                    v /= 255;
                    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
                };
                return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
            };
            const background = (node) => {
                for (; node; node = node.parentElement) {
                    const c = parse(getComputedStyle(node).backgroundColor);
                    if (c.length < 4 || c[3] > 0) return c;
                }
                return [255, 255, 255];
            };
            const selectors = ['.sesame-title', '.sesame-msg-bot .sesame-msg-text',
                '.sesame-msg-me .sesame-msg-text',
                '.sesame-choice', '.sesame-send', '.sesame-hint', '.sesame-input', '.sesame-typing',
                '.sesame-msg-text a', '.sesame-offline-text', '.sesame-retry', '.login-form label', '.hint',
                '.forgot a', '.demo-banner', '.brand-tag'];
            const first = (selector) => [...document.querySelectorAll(selector)].slice(0, 1);
            return selectors.flatMap((selector) => first(selector).map((node) => {
                const fg = lum(parse(getComputedStyle(node).color)), bg = lum(background(node));
                const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
                return {selector, ratio: Math.round(ratio * 100) / 100};
            }));
        }"""
        )
    )


def test_demo_form_connects_to_nothing(desktop: Visit) -> None:
    page = desktop.page
    page.get_by_label("Numéro de Sécurité sociale").fill("2 91 09 75 006 373 88")
    page.get_by_label("Code d'accès").fill("482913")
    page.get_by_role("button", name="Se connecter").click()
    expect(page.get_by_role("status").filter(has_text="page de démonstration")).to_be_visible()
    assert page.url == desktop.url  # nothing typed ever reaches a URL


def test_colours_pass_wcag_aa(desktop: Visit) -> None:
    page = desktop.page
    desktop.open_chat()
    page.evaluate(
        """() => {
            const offline = document.querySelector('.sesame-offline');
            offline.hidden = false;
            offline.querySelector('p').textContent = 'Connexion au service interrompue.';
        }"""
    )
    report = _contrast_report(page)
    assert len(report) >= 14, report
    low = [entry for entry in report if entry["ratio"] < 4.5]
    assert low == [], report


# --- bad input through the page's endpoint, to the real bot ------------------------------


def _chat(page_url: str, message: str) -> tuple[int, dict[str, Any]]:
    request = urllib.request.Request(  # noqa: S310 - our own local server
        page_url + "chat",
        data=json.dumps({"sender": "mauvaises-saisies-0001", "message": message}).encode(),
        headers={"Content-Type": "application/json", "Origin": page_url.rstrip("/")},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


@pytest.mark.parametrize(
    "message",
    [
        "😀😀😀",
        "How do I log in to my member account?",
        "<script>alert('x')</script><b>gras</b>",
        '/provide_nir{"nir": "295067512304557"}',
        '/intent{"entity": "x"}',
        "mon code " * 220,
    ],
)
def test_bad_input_gets_a_french_answer_and_nothing_echoed(sesame_url: str, message: str) -> None:
    status, body = _chat(sesame_url, message)
    assert status == 200, body
    texts = [m.get("text") or "" for m in body["messages"]]
    assert texts and all(texts), body
    joined = " ".join(texts)
    assert "<script" not in joined and "<b>" not in joined and "295067512304557" not in joined
    assert re.search(r"\b(vous|votre|je|Sésame)\b", joined), joined


@pytest.mark.parametrize(("message", "status"), [("", 400), ("   ", 400), ("x" * 5000, 413)])
def test_empty_or_huge_messages_get_a_french_error(sesame_url: str, message: str, status: int) -> None:
    got, body = _chat(sesame_url, message)
    assert got == status
    assert re.search(r"\b(message|votre|vous)\b", body["error"]), body


def test_the_feedback_question_is_optional_keyboard_usable_and_stored(desktop: Visit) -> None:
    """« Cette réponse vous a aidé ? » after an answer to a real question, never after the greeting."""
    page = desktop.page
    desktop.open_chat()
    question = page.get_by_role("group", name="Cette réponse vous a aidé ?")
    expect(question).to_have_count(0)  # the greeting is no answer to rate
    desktop.say("où trouver mon code d'accès")
    expect(desktop.log).to_contain_text("décomptes", timeout=ANSWER_TIMEOUT_MS)
    expect(question).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(question).to_be_visible()
    assert page.locator(".sesame-log .sesame-feedback").count() == 1  # in the polite log: announced once
    _assert_accessible(page, "question « Cette réponse vous a aidé ? »")
    _screenshot(page, "widget-avis.png")

    # With the keyboard: Shift+Tab from the message field reaches « Non », the last thing of the log.
    no = question.get_by_role("button", name="Non", exact=True)
    desktop.input.focus()
    page.keyboard.press("Shift+Tab")
    expect(no).to_be_focused()
    with page.expect_response(lambda response: response.url.endswith("/chat/avis")) as sent:
        page.keyboard.press("Enter")
    assert sent.value.status == 200
    expect(question).to_have_count(0)
    expect(page.locator(".sesame-feedback-thanks")).to_have_text("Merci pour votre avis.")
    expect(page.get_by_role("status").filter(has_text="Merci pour votre avis.")).to_have_count(1)
    expect(desktop.input).to_be_focused()
    sender = page.evaluate("JSON.parse(sessionStorage.getItem('sesame.chat.v1')).sender")
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        [stored] = session.scalars(select(AnswerFeedback).where(AnswerFeedback.conversation_id == sender))
        assert stored.helpful is False
    engine.dispose()

    # Optional: typing on makes the thanks, or an unanswered question, go away.
    desktop.input.fill("merci")
    expect(page.locator(".sesame-feedback-thanks")).to_have_count(0)
    desktop.say("comment me connecter à mon espace adhérent")
    expect(question).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    desktop.input.fill("et pour")
    expect(question).to_have_count(0)
    assert desktop.errors == [] and desktop.dialogs == []


# --- accessibility: axe-core on every page and state a member meets ---------------------


def _assert_accessible(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n{describe(violations)}"


def test_demo_page_and_open_widget_have_no_wcag_violations(desktop: Visit, phone: Visit) -> None:
    _assert_accessible(desktop.page, "page de démonstration")
    desktop.open_chat()
    desktop.say(FORGOT)
    expect(desktop.page.get_by_role("button", name=YES_BUTTON)).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    _assert_accessible(desktop.page, "discussion ouverte, avec boutons")
    phone.open_chat()
    _assert_accessible(phone.page, "discussion sur téléphone (360 px)")


def _new_reset_link(base: str) -> str:
    """A valid reset link for a demo member, written straight into the services' database."""
    engine = create_engine(MEMBER_DB["url"])
    try:
        with session_scope(engine) as session:
            member = session.scalars(select(Member).where(Member.email.is_not(None))).first()
            assert member is not None, "demo members expected"
            token, token_hash = mint_token()
            now = utcnow()
            session.add(
                ResetRequest(
                    member=member,
                    channel=ResetChannel.EMAIL,
                    created_at=now,
                    token_hash=token_hash,
                    token_expires_at=now + dt.timedelta(hours=1),
                )
            )
    finally:
        engine.dispose()
    return f"{base}reinitialiser/{token}"


def test_reset_pages_have_no_wcag_violations(browser: Browser, sesame_url: str) -> None:
    link = _new_reset_link(sesame_url)
    for visit in _visit(browser, link, 1280, 800):
        page = visit.page
        _assert_accessible(page, "formulaire du nouveau code")
        page.get_by_label("Nouveau code d'accès").fill("000000")
        page.get_by_label("Confirmez le nouveau code").fill("000000")
        page.get_by_role("button", name="Enregistrer mon code").click()
        expect(page.get_by_role("alert")).to_contain_text("six fois le même chiffre")
        _assert_accessible(page, "formulaire avec une erreur")
        page.get_by_label("Nouveau code d'accès").fill("482913")
        page.get_by_label("Confirmez le nouveau code").fill("482913")
        page.get_by_role("button", name="Enregistrer mon code").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Code d'accès enregistré")
        _assert_accessible(page, "code enregistré")
        page.goto(link)
        expect(page.get_by_role("heading", level=1)).to_have_text("Ce lien a déjà été utilisé")
        _assert_accessible(page, "lien déjà utilisé")
        page.goto(f"{sesame_url}reinitialiser/inconnu-{'x' * 30}")
        _assert_accessible(page, "lien inconnu")
        page.goto(f"{sesame_url}cette-page-n-existe-pas")
        _assert_accessible(page, "page introuvable")
