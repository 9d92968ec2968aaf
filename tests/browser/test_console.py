"""The agents' console in a real browser, against the real Sésame (issue #11).

Sign in, ask "l'adhérent n'a pas reçu son e-mail", open a demo member's file, send a
reset on their behalf — with the keyboard where an agent on the phone would use it —
at 1280 and 1024 px wide, with an axe-core audit (WCAG 2.2 A/AA) of every state and
screenshots in ``reports/console-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine, select

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from bot.db.models import ResetRequest
from bot.members.demo import demo_rows
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ANSWER_TIMEOUT_MS, MEMBER_DB, REPORTS

PASSWORD = "Casque-et-micro-2026"  # noqa: S105 - a test account
AGENT, SUPERVISOR = "navigateur", "chef-navigateur"


@pytest.fixture(scope="module")
def console_url(sesame_url: str) -> str:
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        for login, role in ((AGENT, AgentRole.CONSEILLER), (SUPERVISOR, AgentRole.SUPERVISEUR)):
            if accounts.find_agent(session, login) is None:
                accounts.add_agent(
                    session, login, PASSWORD, actor="cli:test", display_name=login.title(), role=role
                )
    engine.dispose()
    return sesame_url + "conseiller/"


def _page(browser: Browser, url: str, width: int) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    yield page
    context.close()
    assert errors == []


@pytest.fixture(params=[1280, 1024], ids=["1280px", "1024px"])
def console(request: pytest.FixtureRequest, browser: Browser, console_url: str) -> Iterator[Page]:
    yield from _page(browser, console_url, request.param)


def _audit(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n{describe(violations)}"


def _fits(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling at the agent's desk."""
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0


def _shot(page: Page, name: str) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"console-{name}.png"), full_page=True)


def _sign_in(page: Page, login: str) -> None:
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("heading", name="Assistant")).to_be_visible()


def test_sign_in_ask_look_up_and_send_a_reset_on_behalf(console: Page) -> None:
    width = console.viewport_size["width"] if console.viewport_size else 0
    expect(console.get_by_role("heading", name="Connexion à la console des conseillers")).to_be_visible()
    _audit(console, "sign-in page")
    # A wrong password: one sentence, whatever failed, and the form stays usable.
    console.get_by_label("Identifiant").fill(AGENT)
    console.get_by_label("Mot de passe").fill("pas-le-bon-mot-de-passe")
    console.get_by_role("button", name="Se connecter").click()
    expect(console.get_by_role("alert")).to_have_text("Erreur : Identifiant ou mot de passe incorrect.")
    _audit(console, "sign-in error")
    if width == 1280:
        _shot(console, "connexion")
    _sign_in(console, AGENT)
    _fits(console)

    # The assistant: typed in the agent's words, Enter sends.
    question = console.get_by_label("Question de l'adhérent, dans vos mots")
    expect(question).to_be_focused()
    question.fill("l'adhérent n'a pas reçu son e-mail")
    question.press("Enter")
    choices = console.locator("#intentions button")
    expect(choices).to_have_count(3, timeout=ANSWER_TIMEOUT_MS)
    expect(choices.first).to_contain_text("Je n'ai pas reçu l'e-mail de réinitialisation")
    expect(choices.first).to_have_attribute("aria-pressed", "true")
    expect(console.locator("#reponse-a-dire")).to_contain_text("À dire à l'adhérent :")
    expect(console.locator("#reponse-etapes li").first).to_be_visible()
    # Another intent in one click.
    second = choices.nth(1)
    second.click()
    expect(second).to_have_attribute("aria-pressed", "true")
    expect(choices.first).to_have_attribute("aria-pressed", "false")
    _audit(console, "assistant")
    if width == 1280:
        _shot(console, "assistant")

    # The member's file: a malformed number first, then the demo member.
    camille = demo_rows()[0]
    nir = console.get_by_label("Numéro de Sécurité sociale lu par l'adhérent")
    nir.fill(camille["nir"][:-2] + ("00" if camille["nir"][-2:] != "00" else "01"))
    nir.press("Enter")
    expect(console.locator("#erreur-dossier")).to_contain_text("Numéro refusé : La clé")
    expect(nir).to_have_attribute("aria-invalid", "true")
    _audit(console, "member file error")
    nir.fill(camille["nir"])
    nir.press("Enter")
    expect(console.locator("#fiche-nom")).to_have_text(f"{camille['first_name']} {camille['last_name']}")
    expect(console.locator("#fiche-email")).to_contain_text("(masqué)")
    expect(console.locator("#fiche-email")).not_to_contain_text(camille["email"])
    expect(console.locator("#fiche-suggestion")).not_to_be_empty()
    _audit(console, "member file")
    _fits(console)

    # Reset on behalf: the confirmation names the channel, Enter confirms.
    before = _requests_by(AGENT)
    console.get_by_role("button", name="Par e-mail…").click()
    confirm = console.get_by_role("button", name="Confirmer l'envoi par e-mail")
    expect(confirm).to_be_focused()
    expect(console.locator("#confirmation-texte")).to_contain_text("Envoyer un e-mail de réinitialisation à")
    _audit(console, "confirmation")
    confirm.press("Enter")
    # The second window size finds the first one's email still on its way: nothing new is sent.
    expected = "mis en file d'envoi" if before == 0 else "Rien de nouveau envoyé"
    expect(console.locator("#resultat-envoi")).to_contain_text(expected, timeout=ANSWER_TIMEOUT_MS)
    expect(console.locator("#fiche-demandes tbody tr").first).to_contain_text(f"conseiller {AGENT}")
    assert _requests_by(AGENT) == 1
    _audit(console, "after the reset")
    if width == 1280:
        _shot(console, "dossier")
    _fits(console)

    # Sign-out: back to the form, and the console is closed.
    console.get_by_role("button", name="Se déconnecter").click()
    expect(console.get_by_role("status")).to_have_text("Vous êtes déconnecté(e).")


def _requests_by(login: str) -> int:
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        agent = accounts.find_agent(session, login)
        assert agent is not None
        count = len(session.scalars(select(ResetRequest).where(ResetRequest.agent_id == agent.id)).all())
    engine.dispose()
    return count


def test_a_supervisor_sees_the_full_email_and_the_journal(browser: Browser, console_url: str) -> None:
    for page in _page(browser, console_url, 1280):
        _sign_in(page, SUPERVISOR)
        journal = page.locator("#journal-lignes tbody tr")
        expect(journal.first).to_be_visible()
        expect(page.locator("#journal-lignes")).to_contain_text("Connexion")  # in French, not « sign_in »
        expect(page.locator("#journal-lignes")).not_to_contain_text("sign_in")
        camille = demo_rows()[0]
        nir = page.get_by_label("Numéro de Sécurité sociale lu par l'adhérent")
        nir.fill(camille["nir"])
        nir.press("Enter")
        expect(page.locator("#fiche-email")).to_have_text(camille["email"])
        expect(page.get_by_label("Adresse e-mail lue par l'appelant")).to_be_hidden()  # nothing to check
        _audit(page, "supervisor console")
        _shot(page, "journal")
