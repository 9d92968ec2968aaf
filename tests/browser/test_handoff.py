"""Hand-off from the website chat to an agent, in two real browsers (issue #12).

An agent signs in to the console and marks themself available with the switch; a
member on the demo page asks for a person and waits; the agent sees the request in
the queue (and its count in the tab's title), takes it, reads Sésame's summary and
transcript, and they exchange one message each way; the member's tab is reloaded in
the middle and follows again; the agent closes and the bot answers the next question.
Then the call-back path: nobody available, the member leaves a number, the agent
sees it in the queue and marks it done. axe-core audits (WCAG 2.2 A/AA) of both
sides; screenshots in ``reports/handoff-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import create_engine

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ANSWER_TIMEOUT_MS, MEMBER_DB, REPORTS

PASSWORD = "Casque-du-matin-2026"  # noqa: S105 - a test account
AGENT, COLLEAGUE = "relais", "relais-bis"
AGENT_NAME = "Alice Relais"
ASK_FOR_A_PERSON = "je veux parler à un conseiller"
AGENT_HELLO = "Bonjour, je suis Alice. <b>Je regarde</b> votre dossier."
MEMBER_REPLY = "Merci, je n'ai pas reçu l'e-mail de réinitialisation"
AGENT_AFTER_RELOAD = "Toujours là ? Vérifiez vos courriers indésirables."
TITLE = "Console des conseillers — Sésame · ACS"
WAITING_TITLE = re.compile(r"^\(\d+\) Console des conseillers")
BUBBLE = re.compile(r"Besoin d.aide.*Discuter avec Sésame")


@dataclass
class Tab:
    page: Page
    errors: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def console_url(sesame_url: str) -> str:
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        for login, name in ((AGENT, AGENT_NAME), (COLLEAGUE, "Bruno Relais")):
            if accounts.find_agent(session, login) is None:
                accounts.add_agent(
                    session, login, PASSWORD, actor="cli:test", display_name=name, role=AgentRole.CONSEILLER
                )
    engine.dispose()
    return sesame_url + "conseiller/"


def _tab(browser: Browser, url: str, width: int, height: int, init_script: str = "") -> Iterator[Tab]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    context.set_default_timeout(15_000)
    if init_script:
        context.add_init_script(init_script)
    page = context.new_page()
    tab = Tab(page)
    page.on("pageerror", lambda error: tab.errors.append(str(error)))
    page.goto(url)
    yield tab
    context.close()
    assert tab.errors == []


# Counts the console's beeps (Web Audio oscillators started): the sound itself is not heard here.
COUNT_BEEPS = """
window.__beeps = 0;
const start = OscillatorNode.prototype.start;
OscillatorNode.prototype.start = function (...args) { window.__beeps += 1; return start.apply(this, args); };
"""


@pytest.fixture
def agent(browser: Browser, console_url: str) -> Iterator[Tab]:
    for tab in _tab(browser, console_url, 1280, 900, init_script=COUNT_BEEPS):
        _sign_in(tab.page, AGENT)
        yield tab
        _available(tab.page, False)  # the other tests expect nobody to answer in the chat


@pytest.fixture
def member(browser: Browser, sesame_url: str) -> Iterator[Tab]:
    yield from _tab(browser, sesame_url, 1280, 800)


def _sign_in(page: Page, login: str) -> None:
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("heading", name="File d'attente")).to_be_visible()


def _available(page: Page, wanted: bool) -> None:
    switch = page.get_by_role("switch", name="Je suis disponible pour les discussions")
    expect(switch).to_be_enabled()
    if switch.is_checked() != wanted:
        switch.click()
        expect(page.locator("#console-etat")).to_contain_text("disponible pour les discussions")
    expect(switch).to_be_checked(checked=wanted)


def _audit(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n{describe(violations)}"


def _fits(page: Page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{overflow} px of sideways scrolling"


def _shot(page: Page, name: str, full_page: bool = False) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"handoff-{name}.png"), full_page=full_page)


def _open_chat(page: Page) -> None:
    page.get_by_role("button", name=BUBBLE).click()
    expect(page.get_by_role("log")).to_contain_text("Que puis-je faire pour vous", timeout=ANSWER_TIMEOUT_MS)


def _say(page: Page, text: str) -> None:
    field = page.get_by_label(re.compile(r"^Votre message (à Sésame|au conseiller ACS)$"))
    field.fill(text)
    field.press("Enter")


def _handoff_bar(page: Page) -> Locator:
    return page.locator(".sesame-handoff")


def test_member_reaches_an_agent_live(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _available(console, True)
    expect(console.locator("#file-resume")).to_contain_text("conseiller disponible")
    expect(console.locator("#file-vide")).to_be_visible()
    expect(console).to_have_title(TITLE)

    # The member asks for a person: they are told they wait, and where.
    _open_chat(widget)
    _say(widget, ASK_FOR_A_PERSON)
    log = widget.get_by_role("log")
    expect(log).to_contain_text("file d'attente des conseillers ACS", timeout=ANSWER_TIMEOUT_MS)
    expect(_handoff_bar(widget)).to_contain_text("En attente d'un conseiller")
    expect(_handoff_bar(widget)).to_contain_text("n° 1")

    # The agent sees it in the queue, with its count in the tab's title.
    item = console.locator("#file-elements li").filter(has_text="Discussion en direct")
    expect(item).to_have_count(1)
    expect(console).to_have_title(WAITING_TITLE)
    expect(item).to_contain_text("En attente")
    expect(item).to_contain_text("a demandé un conseiller")
    expect(item.locator(".queue-age")).not_to_be_empty()
    console.wait_for_function("() => window.__beeps >= 1")  # a short sound for the new request
    expect(console.get_by_role("button", name="Activer les notifications")).to_be_visible()
    _audit(console, "console with a waiting chat")
    _shot(console, "agent-queue", full_page=True)

    # Taken: the summary, the transcript with Sésame, and the member is told who joined.
    item.get_by_role("button", name=re.compile("^Prendre")).click()
    expect(console.locator("#conversation-bloc")).to_be_visible()
    expect(console.locator("#conversation-resume")).not_to_be_empty()
    expect(console.get_by_label("Votre message à l'adhérent")).to_be_focused()
    console.get_by_text("Conversation avec Sésame avant la prise en charge").click()
    expect(console.locator("#conversation-transcription")).to_contain_text(ASK_FOR_A_PERSON)
    expect(console.locator("#conversation-messages")).to_contain_text("a rejoint la conversation")
    expect(console).to_have_title(TITLE)
    expect(console.locator("#transfert-vers")).to_contain_text("Bruno Relais")
    expect(log).to_contain_text(f"{AGENT_NAME}, conseiller(ère) ACS, a rejoint la conversation.")
    expect(_handoff_bar(widget)).to_contain_text(f"{AGENT_NAME} (conseiller ACS) a rejoint la conversation")
    expect(widget.get_by_label("Votre message au conseiller ACS")).to_be_visible()  # where the message goes

    # One message each way. The agent's is text: its markup is shown, never applied.
    message = console.get_by_label("Votre message à l'adhérent")
    message.fill(AGENT_HELLO)
    message.press("Enter")
    from_agent = widget.locator(".sesame-msg-agent")
    expect(from_agent).to_have_count(1)
    expect(from_agent).to_contain_text("Conseiller ACS")
    expect(from_agent.locator(".sesame-msg-text")).to_have_text(re.compile(re.escape(AGENT_HELLO)))
    expect(from_agent.locator("b")).to_have_count(0)
    expect(message).to_have_value("")
    _say(widget, MEMBER_REPLY)
    expect(console.locator("#conversation-messages .live-adherent")).to_contain_text(MEMBER_REPLY)
    expect(widget.locator(".sesame-msg-me").last).to_contain_text(MEMBER_REPLY)

    # The member's file stays in the same screen.
    expect(console.get_by_role("heading", name="Dossier de l'adhérent")).to_be_visible()
    _audit(console, "console holding a chat")
    _fits(console)
    _shot(console, "agent", full_page=True)
    console.set_viewport_size({"width": 1024, "height": 900})
    _fits(console)
    _shot(console, "agent-1024", full_page=True)
    console.set_viewport_size({"width": 1280, "height": 900})
    _audit(widget, "widget during the hand-off")
    _shot(widget, "member")

    # A reload in the middle: the widget follows the hand-off again, from where it was.
    widget.reload()
    expect(_handoff_bar(widget)).to_contain_text("a rejoint la conversation")
    expect(widget.locator(".sesame-msg-agent")).to_have_count(1)
    message.fill(AGENT_AFTER_RELOAD)
    message.press("Enter")
    expect(widget.locator(".sesame-msg-agent")).to_have_count(2)
    expect(widget.locator(".sesame-msg-agent").last).to_contain_text(AGENT_AFTER_RELOAD)

    # The agent closes: the member is told, and the bot answers again.
    console.get_by_role("button", name="Terminer la conversation").click()
    expect(console.locator("#conversation-fin")).to_contain_text("terminée")
    expect(console.locator("#conversation-aucune")).to_be_visible()
    expect(log).to_contain_text("Sésame reprend la main")
    expect(_handoff_bar(widget)).to_be_hidden()
    assert widget.evaluate("JSON.parse(sessionStorage.getItem('sesame.chat.v1')).handoff") is None
    bot_answers = widget.locator(".sesame-msg-bot")
    before = bot_answers.count()
    _say(widget, "c'est quoi le code d'accès")
    expect(bot_answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    expect(bot_answers.last).not_to_contain_text("file d'attente")
    expect(bot_answers.last).to_contain_text("code")
    _shot(widget, "member-after")
    _audit(console, "console after the close")


def test_member_leaves_a_call_back_that_the_agent_marks_done(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _available(console, False)
    _open_chat(widget)
    _say(widget, ASK_FOR_A_PERSON)
    log = widget.get_by_role("log")
    expect(log).to_contain_text("Aucun conseiller ACS n'est disponible", timeout=ANSWER_TIMEOUT_MS)
    widget.get_by_role("button", name="Oui, rappelez-moi").click(timeout=ANSWER_TIMEOUT_MS)
    widget.get_by_role("button", name="Le matin").click(timeout=ANSWER_TIMEOUT_MS)
    expect(log).to_contain_text("À quel numéro de téléphone", timeout=ANSWER_TIMEOUT_MS)
    _say(widget, "06 12 34 56 78")
    expect(log).to_contain_text("un conseiller ACS vous rappellera", timeout=ANSWER_TIMEOUT_MS)
    expect(_handoff_bar(widget)).to_be_hidden()  # a call-back is no live chat
    stored = widget.evaluate("sessionStorage.getItem('sesame.chat.v1')")
    assert "56 78" not in stored and "5678" not in stored

    item = console.locator("#file-elements li").filter(has_text="Rappel demandé")
    expect(item).to_have_count(1)
    expect(console).to_have_title(WAITING_TITLE)
    expect(item).to_contain_text("06 •• •• •• 78")  # masked until the agent asks for it (audited)
    item.get_by_role("button", name=re.compile("^Afficher le numéro")).click()
    expect(item).to_contain_text(re.compile(r"06\s?12\s?34\s?56\s?78"))
    expect(item).to_contain_text("matin")
    _audit(console, "console with a call-back")
    _shot(console, "agent-rappel", full_page=True)
    item.get_by_role("button", name=re.compile("^Rappel fait")).click()
    expect(item).to_have_count(0)
    expect(console).to_have_title(TITLE)
    expect(console.locator("#console-etat")).to_contain_text("marqué comme fait")
