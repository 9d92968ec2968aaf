"""The agent acts for the member of a live chat, in two real browsers (issue 21, item 2).

The member gives their NIR to Sésame in the widget, which finds them, then asks for a
person; the agent takes the chat, opens « Dossier de l'adhérent » from the hand-off
(the number never reaches the console: the hand-off's id names the file), sends a new
code by e-mail and sees the confirmation; the e-mail is in the outbox, under the
agent's name. axe-core audits (WCAG 2.2 A/AA) of every new state; screenshot in
``reports/handoff-dossier.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole, ResetChannel
from bot.db.models import OutgoingEmail, ResetRequest
from bot.members.demo import demo_rows
from tests.browser.conftest import ANSWER_TIMEOUT_MS, MEMBER_DB, REPORTS
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
    _sign_in,
    _tab,
)

AGENT, AGENT_NAME = "relais-dossier", "Chloé Dossier"
# A demo member with an e-mail address whom no other browser test asks a code for.
INES = demo_rows()[2]


def _spaced(nir: str) -> str:
    """The NIR as printed on the card, as a member types it: "2 57 03 …"."""
    return " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])


@pytest.fixture(scope="module")
def console_url(sesame_url: str) -> str:
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        if accounts.find_agent(session, AGENT) is None:
            accounts.add_agent(
                session, AGENT, PASSWORD, actor="cli:test", display_name=AGENT_NAME, role=AgentRole.CONSEILLER
            )
    engine.dispose()
    return sesame_url + "conseiller/"


@pytest.fixture
def agent(browser: Browser, console_url: str) -> Iterator[Tab]:
    for tab in _tab(browser, console_url, 1280, 900):
        _sign_in(tab.page, AGENT)
        yield tab
        _available(tab.page, False)  # the other tests expect nobody to answer in the chat


@pytest.fixture
def member(browser: Browser, sesame_url: str) -> Iterator[Tab]:
    yield from _tab(browser, sesame_url, 1280, 800)


def _no_number_in(page: Page) -> None:
    digits = re.sub(r"\D", "", page.content())
    assert INES["nir"] not in digits and INES["nir"][:13] not in digits


def _outbox_for(email: str) -> list[tuple[ResetChannel, bool]]:
    """The member's requests (channel, made by an agent) and that the e-mail went to the outbox."""
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        requests = session.scalars(select(ResetRequest).join(ResetRequest.member)).all()
        mine = [(r.channel, r.agent_id is not None) for r in requests if r.member.email == email]
        queued = session.scalars(select(OutgoingEmail).where(OutgoingEmail.to_address == email)).all()
        assert len(queued) == len([m for m in mine if m[0] == ResetChannel.EMAIL])
    engine.dispose()
    return mine


def test_the_agent_opens_the_chat_members_file_and_sends_a_new_code(agent: Tab, member: Tab) -> None:
    console, widget = agent.page, member.page
    _available(console, True)

    # The member gives their number to Sésame, which finds them, then asks for a person.
    _open_chat(widget)
    _say(widget, f"voici mon numéro {_spaced(INES['nir'])}, je voudrais un nouveau code")
    log = widget.get_by_role("log")
    expect(log).to_contain_text("J'ai bien trouvé votre dossier", timeout=ANSWER_TIMEOUT_MS)
    _say(widget, ASK_FOR_A_PERSON)
    expect(log).to_contain_text("file d'attente des conseillers ACS", timeout=ANSWER_TIMEOUT_MS)
    expect(_handoff_bar(widget)).to_contain_text("En attente d'un conseiller")

    # The agent takes it: the summary says the number was verified, and offers the file.
    item = console.locator("#file-elements li").filter(has_text="Discussion en direct")
    expect(item).to_have_count(1)
    item.get_by_role("button", name=re.compile("^Prendre")).click()
    summary = console.locator("#conversation-resume")
    expect(summary).to_contain_text("Numéro de Sécurité sociale vérifié : oui")
    door = console.get_by_role("button", name="Ouvrir le dossier de l'adhérent")
    expect(door).to_be_visible()
    expect(console.locator("#conversation-adherent")).to_contain_text("ne quitte pas le serveur")
    _audit(console, "held chat with a verified member")

    # « Dossier de l'adhérent », without typing the number.
    door.click()
    expect(console.locator("#fiche-nom")).to_have_text(f"{INES['first_name']} {INES['last_name']}")
    expect(console.locator("#fiche-origine")).to_contain_text("Adhérent de la discussion n°")
    expect(console.locator("#fiche-origine")).to_contain_text("vérifié dans la conversation")
    expect(console.locator("#dossier")).to_be_focused()
    expect(console.locator("#fiche-email")).to_contain_text("(masqué)")
    expect(console.get_by_label("Numéro de Sécurité sociale lu par l'adhérent")).to_have_value("")
    _audit(console, "member's file opened from the chat")
    _fits(console)

    # A new code by e-mail, confirmed by naming the channel.
    console.get_by_role("button", name="Par e-mail…").click()
    confirm = console.get_by_role("button", name="Confirmer l'envoi par e-mail")
    expect(confirm).to_be_focused()
    _audit(console, "confirmation from the chat's file")
    confirm.press("Enter")
    sent = console.locator("#resultat-envoi")
    expect(sent).to_contain_text("mis en file d'envoi", timeout=ANSWER_TIMEOUT_MS)
    expect(console.locator("#fiche-demandes tbody tr").first).to_contain_text(f"conseiller {AGENT}")
    assert _outbox_for(INES["email"]) == [(ResetChannel.EMAIL, True)]
    _audit(console, "new code sent from the chat's file")
    _no_number_in(console)
    REPORTS.mkdir(exist_ok=True)
    console.screenshot(path=str(REPORTS / "handoff-dossier.png"), full_page=True)

    # The agent tells the member, then closes: the file goes with the chat.
    message = console.get_by_label("Votre message à l'adhérent")
    told = "C'est fait : un e-mail de réinitialisation est parti."
    message.fill(told)
    message.press("Enter")
    expect(widget.locator(".sesame-msg-agent").last).to_contain_text(told)
    console.get_by_role("button", name="Terminer la conversation").click()
    expect(console.locator("#conversation-aucune")).to_be_visible()
    expect(console.locator("#fiche")).to_be_hidden()
    expect(door).to_be_hidden()
    _audit(console, "console after the close")


def test_a_number_typed_to_the_agent_opens_the_file_and_a_letter_goes_out(agent: Tab, member: Tab) -> None:
    lea = next(row for row in demo_rows() if not row["email"])  # no e-mail: a letter
    console, widget = agent.page, member.page
    _available(console, True)
    _open_chat(widget)
    _say(widget, ASK_FOR_A_PERSON)
    expect(widget.get_by_role("log")).to_contain_text(
        "file d'attente des conseillers ACS", timeout=ANSWER_TIMEOUT_MS
    )
    item = console.locator("#file-elements li").filter(has_text="Discussion en direct")
    item.get_by_role("button", name=re.compile("^Prendre")).click()
    expect(console.locator("#conversation-resume")).to_contain_text(
        "Numéro de Sécurité sociale vérifié : non"
    )
    door = console.get_by_role("button", name="Ouvrir le dossier de l'adhérent")
    expect(door).to_be_hidden()

    # The member types their number to the agent: masked for the agent, yet checked by the server.
    _say(widget, f"mon numéro de sécu : {_spaced(lea['nir'])}")
    expect(console.locator("#conversation-messages .live-adherent")).to_contain_text("[NIR masqué]")
    expect(door).to_be_visible()
    expect(console.locator("#console-etat")).to_contain_text("son dossier s'ouvre depuis la conversation")
    door.click()
    expect(console.locator("#fiche-nom")).to_have_text(f"{lea['first_name']} {lea['last_name']}")
    expect(console.locator("#fiche-email")).to_have_text("pas d'e-mail")
    expect(console.get_by_role("button", name="Par e-mail…")).to_be_disabled()
    _audit(console, "file opened from a number typed in the live chat")

    console.get_by_role("button", name="Par courrier…").click()
    console.get_by_role("button", name="Confirmer l'envoi par courrier").press("Enter")
    sent = console.locator("#resultat-envoi")
    expect(sent).to_contain_text("Courrier demandé", timeout=ANSWER_TIMEOUT_MS)
    expect(console.locator("#fiche-demandes tbody tr").first).to_contain_text("Courrier")
    _audit(console, "letter sent from the chat's file")
    digits = re.sub(r"\D", "", console.content())
    assert lea["nir"][:13] not in digits
    REPORTS.mkdir(exist_ok=True)
    console.screenshot(path=str(REPORTS / "handoff-dossier-courrier.png"), full_page=True)
    console.get_by_role("button", name="Terminer la conversation").click()
    expect(console.locator("#fiche")).to_be_hidden()
