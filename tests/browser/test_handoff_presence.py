"""Presence that follows the agent, and the member's way out of the queue, in two real browsers (#21).

An agent's console and a member's widget, each in its own browser context, against
the real services (``AGENT_PRESENCE_SECONDS`` and ``HANDOFF_WAIT_OFFER_SECONDS`` made
short in tests/browser/conftest.py):

- signing in starts « indisponible »; a console closed without signing out stops taking
  members once the presence has passed: the member who asks then is offered a call-back;
- the last agent's console closing while a member waits: the member is told at once and
  offered a call-back, keeps their place, and is put through when an agent comes back;
- the member sees the estimated wait once enough chats were taken recently, leaves the
  queue (button) or switches to a call-back (typed phrase), and the call-back form asks
  the moment at once;
- a long wait brings Sésame's call-back offer (the place in the queue backdated, not waited for).

axe-core audits (WCAG 2.2 A/AA) of every new state; screenshots in ``reports/handoff-*.png``.
Every test leaves nobody waiting and nobody available, for the other browser tests.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect
from sqlalchemy import create_engine, select

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole, HandoffState
from bot.db.models import Handoff, utcnow
from bot.handoffs.queue import available_agents
from bot.handoffs.waiting import MIN_SAMPLES
from tests.browser.conftest import ANSWER_TIMEOUT_MS, MEMBER_DB, PRESENCE_SECONDS, WAIT_OFFER_SECONDS
from tests.browser.test_handoff import (
    ASK_FOR_A_PERSON,
    PASSWORD,
    Tab,
    _audit,
    _available,
    _fits,
    _handoff_bar,
    _open_chat,
    _say,
    _shot,
    _sign_in,
    _tab,
)
from tests.support.on_duty import queued_chat

AGENT, OTHER = "presence-a", "presence-b"
# Past the presence, plus the member stream's and the console's next reads.
GONE_MS = (PRESENCE_SECONDS + 8) * 1000
NOBODY_NOW = "Aucun conseiller n'est disponible pour le moment"


@pytest.fixture(scope="module")
def console_url(sesame_url: str) -> str:
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        for login, name in ((AGENT, "Paula Présence"), (OTHER, "Olivier Présence")):
            if accounts.find_agent(session, login) is None:
                accounts.add_agent(
                    session, login, PASSWORD, actor="cli:test", display_name=name, role=AgentRole.CONSEILLER
                )
    engine.dispose()
    return sesame_url + "conseiller/"


def _console(browser: Browser, url: str, login: str) -> Iterator[Tab]:
    for tab in _tab(browser, url, 1280, 900):
        _sign_in(tab.page, login)
        # Signing in starts « indisponible », whatever the account was before.
        expect(
            tab.page.get_by_role("switch", name="Je suis disponible pour les discussions")
        ).not_to_be_checked()
        yield tab
        if not tab.page.is_closed():
            _available(tab.page, False)  # the other tests expect nobody to answer in the chat


@pytest.fixture
def agent(browser: Browser, console_url: str) -> Iterator[Tab]:
    yield from _console(browser, console_url, AGENT)


@pytest.fixture
def member(browser: Browser, sesame_url: str) -> Iterator[Tab]:
    yield from _tab(browser, sesame_url, 1280, 800)


def _queue_actions(page: Page) -> Locator:
    return page.get_by_role("group", name="Quitter la file d'attente")


def _wait_in_queue(widget: Page) -> None:
    _open_chat(widget)
    _say(widget, ASK_FOR_A_PERSON)
    expect(widget.get_by_role("log")).to_contain_text(
        "file d'attente des conseillers ACS", timeout=ANSWER_TIMEOUT_MS
    )
    expect(_handoff_bar(widget)).to_contain_text("n° 1")
    expect(_queue_actions(widget).get_by_role("button", name="Être rappelé(e)")).to_be_visible()
    expect(_queue_actions(widget).get_by_role("button", name="Quitter la file")).to_be_visible()


def _until_nobody_is_present(page: Page) -> None:
    """Until the services count no agent for members (the closed console's presence has passed).

    Asked of the services' own database with their own query, every quarter of a second,
    rather than waiting the longest it may take (``GONE_MS``) every time.
    """
    engine = create_engine(MEMBER_DB["url"])
    deadline = time.monotonic() + GONE_MS / 1000
    presence = dt.timedelta(seconds=PRESENCE_SECONDS)
    try:
        while True:
            with session_scope(engine) as session:
                if available_agents(session, utcnow(), presence) == 0:
                    return
            assert time.monotonic() < deadline, f"an agent still present {GONE_MS} ms after"
            page.wait_for_timeout(250)
    finally:
        engine.dispose()


def test_a_closed_console_takes_no_member(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _available(console, True)
    expect(console.locator("#file-resume")).to_contain_text("1 conseiller disponible")
    console.close()  # closed without signing out: the session lives on, the console does not
    _until_nobody_is_present(widget)
    _open_chat(widget)
    _say(widget, ASK_FOR_A_PERSON)
    log = widget.get_by_role("log")
    expect(log).to_contain_text("Aucun conseiller ACS n'est disponible", timeout=ANSWER_TIMEOUT_MS)
    expect(widget.get_by_role("button", name="Oui, rappelez-moi")).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(_handoff_bar(widget)).to_be_hidden()  # never queued for nobody
    _audit(widget, "widget offered a call-back after the console closed")
    _shot(widget, "presence-console-fermee")


def test_the_last_agent_leaving_is_told_at_once_and_the_place_kept(
    agent: Tab, member: Tab, browser: Browser, console_url: str
) -> None:
    console, widget = agent.page, member.page
    _available(console, True)
    _wait_in_queue(widget)
    item = console.locator("#file-elements li").filter(has_text="Discussion en direct")
    expect(item).to_have_count(1)

    console.close()
    log = widget.get_by_role("log")
    expect(log).to_contain_text(NOBODY_NOW, timeout=GONE_MS)
    expect(_handoff_bar(widget)).to_contain_text(NOBODY_NOW)
    offer = widget.locator(".sesame-msg-bot").filter(has_text=NOBODY_NOW)
    expect(offer.get_by_role("button", name="Être rappelé(e)")).to_be_visible()
    expect(offer.get_by_role("button", name="Quitter la file")).to_be_visible()
    _audit(widget, "widget told nobody is left")
    _fits(widget)
    _shot(widget, "presence-personne")

    # A colleague comes back: the member, still first, is put through.
    for colleague in _console(browser, console_url, OTHER):
        desk = colleague.page
        _available(desk, True)
        expect(_handoff_bar(widget)).to_contain_text("n° 1", timeout=GONE_MS)
        expect(_handoff_bar(widget)).not_to_contain_text(NOBODY_NOW)
        waiting = desk.locator("#file-elements li").filter(has_text="Discussion en direct")
        expect(waiting).to_have_count(1)
        waiting.get_by_role("button", name=re.compile("^Prendre")).click()
        expect(_handoff_bar(widget)).to_contain_text(
            "Olivier Présence (conseiller ACS) a rejoint la conversation"
        )
        expect(_queue_actions(widget)).to_be_hidden()
        desk.get_by_role("button", name="Terminer la conversation").click()
        expect(log).to_contain_text("Sésame reprend la main")


def _chats_taken_recently(minutes: int) -> None:
    """Closed chats that agents took after ``minutes`` each, this past hour: what an estimate needs."""
    engine = create_engine(MEMBER_DB["url"])
    now = utcnow()
    with session_scope(engine) as session:
        for n in range(MIN_SAMPLES):
            created = now - dt.timedelta(minutes=50 - n)
            handoff = queued_chat(session, f"estimation-{n}-{created.timestamp():.0f}", created)
            handoff.taken_at = created + dt.timedelta(minutes=minutes)
            handoff.state, handoff.closed_at = HandoffState.CLOSED, handoff.taken_at
    engine.dispose()


def test_the_member_sees_the_estimate_and_leaves_the_queue_with_the_button(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _chats_taken_recently(minutes=2)
    _available(console, True)
    _wait_in_queue(widget)
    expect(_handoff_bar(widget)).to_contain_text("Attente estimée\u00a0: environ 2\u00a0min")
    _audit(widget, "widget waiting, with the way out")
    _shot(widget, "presence-attente")
    widget.set_viewport_size({"width": 360, "height": 740})  # a phone: the way out still fits
    _fits(widget)
    expect(_queue_actions(widget).get_by_role("button", name="Quitter la file")).to_be_in_viewport()
    _shot(widget, "presence-attente-360")
    widget.set_viewport_size({"width": 1280, "height": 800})
    expect(console.locator("#file-elements li").filter(has_text="Discussion en direct")).to_have_count(1)

    _queue_actions(widget).get_by_role("button", name="Quitter la file").click()
    log = widget.get_by_role("log")
    expect(log).to_contain_text("Vous avez quitté la file d'attente", timeout=ANSWER_TIMEOUT_MS)
    expect(_handoff_bar(widget)).to_be_hidden()
    expect(_queue_actions(widget)).to_be_hidden()
    expect(widget.get_by_label("Votre message à Sésame")).to_be_visible()
    expect(console.locator("#file-elements li").filter(has_text="Discussion en direct")).to_have_count(0)
    bot_answers = widget.locator(".sesame-msg-bot")
    before = bot_answers.count()
    _say(widget, "c'est quoi le code d'accès")
    expect(bot_answers).to_have_count(before + 1, timeout=ANSWER_TIMEOUT_MS)
    expect(bot_answers.last).to_contain_text("code")
    _audit(widget, "widget after leaving the queue")


def test_the_member_types_that_they_prefer_a_call_back(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _available(console, True)
    _wait_in_queue(widget)
    _say(widget, "finalement je préfère être rappelé")
    log = widget.get_by_role("log")
    expect(log).to_contain_text("vous quittez la file d'attente", timeout=ANSWER_TIMEOUT_MS)
    # The call-back form asks the moment at once: the member already said yes.
    expect(log).to_contain_text("Quand préférez-vous être rappelé(e)", timeout=ANSWER_TIMEOUT_MS)
    expect(log).not_to_contain_text("Voulez-vous qu'un conseiller ACS vous rappelle")
    expect(log).not_to_contain_text("Votre message est transmis")
    expect(_handoff_bar(widget)).to_be_hidden()
    _audit(widget, "widget switched to a call-back")
    _shot(widget, "presence-rappel")
    widget.get_by_role("button", name="Le matin").click()
    expect(log).to_contain_text("À quel numéro de téléphone", timeout=ANSWER_TIMEOUT_MS)
    _say(widget, "06 12 34 56 78")
    expect(log).to_contain_text("un conseiller ACS vous rappellera", timeout=ANSWER_TIMEOUT_MS)

    expect(console.locator("#file-elements li").filter(has_text="Discussion en direct")).to_have_count(0)
    callback = console.locator("#file-elements li").filter(has_text="Rappel demandé")
    expect(callback).to_have_count(1)
    callback.get_by_role("button", name=re.compile("^Rappel fait")).click()
    expect(callback).to_have_count(0)


def _waited_long() -> None:
    """The waiting member's place taken ``WAIT_OFFER_SECONDS`` earlier than it was.

    The services' clock is not touched: their next read of the queue finds a wait as
    long as the setting, as it would have ``WAIT_OFFER_SECONDS`` later, without the
    browser tests waiting that long.
    """
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        waiting = session.scalars(select(Handoff).where(Handoff.state == HandoffState.WAITING)).all()
        assert len(waiting) == 1, waiting
        waiting[0].created_at -= dt.timedelta(seconds=WAIT_OFFER_SECONDS)
    engine.dispose()


def test_a_long_wait_brings_the_call_back_offer(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _available(console, True)
    _wait_in_queue(widget)
    log = widget.get_by_role("log")
    expect(log).not_to_contain_text("Votre attente se prolonge")
    _waited_long()
    expect(log).to_contain_text("Votre attente se prolonge", timeout=(WAIT_OFFER_SECONDS + 15) * 1000)
    expect(_handoff_bar(widget)).to_contain_text("n° 1")  # the place is kept
    _audit(widget, "widget offered a call-back after a long wait")
    _shot(widget, "presence-longue-attente")
    offer = widget.locator(".sesame-msg-bot").filter(has_text="Votre attente se prolonge")
    offer.get_by_role("button", name="Quitter la file").click()
    expect(log).to_contain_text("Vous avez quitté la file d'attente", timeout=ANSWER_TIMEOUT_MS)
    expect(console.locator("#file-elements li").filter(has_text="Discussion en direct")).to_have_count(0)


def test_a_console_back_after_an_absence_says_the_agent_is_unavailable(
    browser: Browser, console_url: str
) -> None:
    """The same session, its console closed for longer than the presence, then opened again."""
    for tab in _console(browser, console_url, AGENT):
        page = tab.page
        _available(page, True)
        context = page.context
        page.close()
        fresh = context.new_page()
        fresh.wait_for_timeout((PRESENCE_SECONDS + 2) * 1000)
        fresh.goto(console_url)
        expect(fresh.get_by_role("heading", name="File d'attente")).to_be_visible()
        switch = fresh.get_by_role("switch", name="Je suis disponible pour les discussions")
        expect(switch).not_to_be_checked()
        expect(fresh.locator("#presence-note")).to_contain_text("Votre console était fermée")
        _audit(fresh, "console back after an absence")
        _shot(fresh, "presence-retour-console", full_page=True)
        fresh.close()
