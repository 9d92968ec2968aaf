"""The privacy notice in a real browser: the widget's sentence before the first message, and /confidentialite.

Same session as ``test_widget.py`` (the real Sésame on free ports, Chromium), so the
periods are the settings' defaults. Each page is audited with axe-core and
photographed in ``reports/`` (widget-notice.png, confidentialite-desktop.png, confidentialite-360.png).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect

from bot.privacy.notice import widget_sentence
from bot.settings import DEFAULTS
from tests.browser.axe import axe_violations, describe
from tests.browser.test_widget import BUBBLE, Visit, _screenshot, _visit

DAYS = int(DEFAULTS["RETENTION_CONVERSATIONS_DAYS"])


@pytest.fixture
def desktop(browser: Browser, sesame_url: str) -> Iterator[Visit]:
    yield from _visit(browser, sesame_url, 1280, 800)


@pytest.fixture
def phone(browser: Browser, sesame_url: str) -> Iterator[Visit]:
    yield from _visit(browser, sesame_url, 360, 740)


def test_the_widget_says_what_is_recorded_before_the_first_message(desktop: Visit) -> None:
    page = desktop.page
    notice = page.locator(".sesame-notice")
    page.get_by_role("button", name=BUBBLE).click()
    expect(desktop.panel).to_be_visible()
    # Visible at once, before the member has written anything (the greeting is the bot's).
    expect(notice).to_be_visible()
    assert page.locator(".sesame-msg-me").count() == 0
    expect(notice).to_contain_text(widget_sentence(DAYS))
    link = notice.get_by_role("link", name=re.compile("En savoir plus sur vos données"))
    expect(link).to_have_attribute("href", "/confidentialite")
    box, log_box = notice.bounding_box(), desktop.log.bounding_box()
    assert box is not None and log_box is not None and box["y"] < log_box["y"]  # above the messages
    _screenshot(page, "widget-notice.png")
    with page.context.expect_page() as opened:
        link.click()
    privacy = opened.value
    expect(privacy.get_by_role("heading", level=1)).to_have_text("Vos données avec Sésame")
    assert desktop.errors == []


def test_the_privacy_page_gives_the_periods_and_has_no_wcag_violations(desktop: Visit, phone: Visit) -> None:
    for visit, name in ((desktop, "confidentialite-desktop.png"), (phone, "confidentialite-360.png")):
        page = visit.page
        page.goto(visit.url + "confidentialite")
        expect(page.get_by_role("heading", level=1)).to_have_text("Vos données avec Sésame")
        expect(page.get_by_role("heading", level=2, name="Vos droits")).to_be_visible()
        expect(page.locator("main")).to_contain_text(f"{DAYS} jours après votre dernier message")
        violations = axe_violations(page)
        assert violations == [], f"page /confidentialite :\n{describe(violations)}"
        _screenshot(page, name)
        # No horizontal scrolling on a 360 px phone (WCAG 1.4.10, reflow).
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        assert visit.errors == []
