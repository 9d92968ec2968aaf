"""The trainers' workbench in a real browser, against the real Sésame (issue #13).

Sign in as a ``formateur``, move a member's message that Sésame did not understand
(sent through the web tier's chat beforehand) to an intent, add a new question with
10 examples, run the data check and see its result, and open the report — with the
keyboard where it matters, with an axe-core audit (WCAG 2.2 A/AA) of every workbench
page, no sideways scrolling at 1280 and 1024 px, and a screenshot of each page in
``reports/atelier-*.png``. The workbench of the running services writes to a
throw-away copy of the project (``WORKBENCH_ROOT``, tests/browser/conftest.py).
"""

from __future__ import annotations

import json
import re
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import create_engine

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from bot.training.rasa_results import IntentScore, Misclassified, NluResult, StoryResult
from bot.training.report import Report, render_html
from bot.training.report_history import diff, summary
from tests.browser.axe import axe_violations, describe
from tests.browser.conftest import ANSWER_TIMEOUT_MS, MEMBER_DB, REPORTS, WORKBENCH

PASSWORD = "Tableau-et-craie-2026"  # noqa: S105 - a test account
TRAINER = "formatrice-navigateur"
SUPERVISOR = "superviseur-navigateur"
UNDERSTOOD_NOTHING = "zorglub flarn wibble quux"
SENDER = "atelier-navigateur-0000000001"
# A confidently wrong answer (issue 22): the member says so in the next message.
WRONGLY_ANSWERED = "le code de la lettre marche pas"
DENIAL = "non ce n'est pas ça"
DENYING_SENDER = "atelier-navigateur-0000000002"
REFERENCE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{2}")
# The message moved and the new question written pass the same check as `make check-data`.
VERDICT = re.compile(r"Données vérifiées : aucun problème\.")
# Each nearer its own question than any other (make check-data's rule, issue 23): « est ce que
# je peux mettre un zero devant » was nearer « Règles du code » and stopped every training after.
EXAMPLES = [
    "mon code peut il commencer par un zero",
    "un code qui commence par 0 c est possible",
    "le premier chiffre du code peut etre zero",
    "un zero devant mon code c est possible",
    "code d acces debutant par zero autorise",
    "zero en premier dans mon code ca marche",
    "puis je choisir un code qui commence par zero",
    "le code peut commencer par le chiffre zero",
    "commencer mon code par un 0 est ce permis",
    "zero au debut du code d acces possible",
]
# Only what the help document says (a personalised code of 6 digits, section 2 and 4.2):
# it says nothing of a leading zero, so neither does the answer (docs/guide-formateurs.md).
ANSWER = (
    "Votre code d'accès personnalisé se compose de 6 chiffres. Si votre code est refusé, "
    "vérifiez qu'il comporte bien 6 chiffres, ou demandez un nouveau code d'accès."
)
HOLDOUT = [
    "j ai le droit de debuter mon code par 0",
    "un zero en tete du code est il accepte",
    "mon nouveau code commence par zero probleme",
    "zero comme premier chiffre c est bon",
    "code secret qui debute par un zero ok",
    "le site accepte t il un 0 au debut",
    "premier caractere du code a zero",
    "est il interdit de commencer par 0",
    "code commencant par zero refuse",
    "peut on avoir un zero initial",
    "chiffre zero en position une",
    "un code du type 0 et cinq chiffres",
    "zero devant mon code est il valable",
    "je voudrais un code qui demarre par zero",
    "le 0 en premier chiffre pose souci",
]


def _chat(site: str, message: str, sender: str = SENDER, *, automatic: bool = False) -> None:
    """One member message through the web tier's /chat, as the widget sends it (``automatic``: its
    own « Bonjour » on opening, which the member never typed)."""
    sent: dict[str, object] = {"sender": sender, "message": message}
    if automatic:
        sent["automatique"] = True
    body = json.dumps(sent).encode()
    request = urllib.request.Request(  # noqa: S310 - our own http URL
        site + "chat",
        data=body,
        headers={"Content-Type": "application/json", "Origin": site.rstrip("/")},
    )
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=ANSWER_TIMEOUT_MS / 1000) as answer:
        assert answer.status == 200


def _small_report(root: Path) -> None:
    """A report from fixture figures (``make report`` trains for minutes): the page trainers open.

    Compared with an earlier one, as after a new question (the screenshot of
    docs/guide-formateurs.md): one intent better, one worse, one new, one confusion.
    """
    labels = {
        "forgot_access_code": "J'ai oublié mon code d'accès",
        "access_code_rules": "Le format du code d'accès (6 chiffres)",
        "code_peut_commencer_zero": "Mon code peut-il commencer par un zéro ?",
    }
    before = [
        IntentScore("forgot_access_code", labels["forgot_access_code"], 0.9, 0.85, 0.87, 20),
        IntentScore("access_code_rules", labels["access_code_rules"], 1.0, 1.0, 1.0, 20),
    ]
    after = [
        IntentScore("forgot_access_code", labels["forgot_access_code"], 0.95, 0.9, 0.92, 20),
        IntentScore("access_code_rules", labels["access_code_rules"], 0.95, 0.9, 0.92, 20),
        IntentScore("code_peut_commencer_zero", labels["code_peut_commencer_zero"], 0.88, 1.0, 0.94, 15),
    ]
    errors = [
        Misclassified(
            "le code doit faire combien de chiffres, on peut mettre un 0 ?",
            "access_code_rules",
            "code_peut_commencer_zero",
            0.58,
        ),
        Misclassified(
            "code a 6 chiffres avec un zero c est bon", "access_code_rules", "code_peut_commencer_zero", 0.71
        ),
    ]
    stories = StoryResult(13, 13, [])
    previous = summary(
        "2026-11-30T09:00:00+00:00", NluResult(0.93, before, []), None, None, StoryResult(12, 12, []), {}
    )
    holdout = NluResult(0.93, after, errors, out_of_scope_recall=0.97)
    latest = summary("2026-12-01T09:00:00+00:00", holdout, holdout, holdout, stories, {})
    reports = root / "reports"
    reports.mkdir(exist_ok=True)
    (reports / "report-latest.json").write_text(json.dumps(latest), encoding="utf-8")
    report = Report(
        "01/12/2026 à 10:00", holdout, holdout, holdout, stories, diff(previous, latest, labels), labels, []
    )
    (reports / "index.html").write_text(render_html(report), encoding="utf-8")


@pytest.fixture(scope="module")
def atelier_url(sesame_url: str) -> str:
    engine = create_engine(MEMBER_DB["url"])
    with session_scope(engine) as session:
        for login, name, role in (
            (TRAINER, "Fanny Formatrice", AgentRole.FORMATEUR),
            (SUPERVISOR, "Serge Superviseur", AgentRole.SUPERVISEUR),
        ):
            if accounts.find_agent(session, login) is None:
                accounts.add_agent(session, login, PASSWORD, actor="cli:test", display_name=name, role=role)
    engine.dispose()
    _chat(sesame_url, "Bonjour", automatic=True)
    _chat(sesame_url, UNDERSTOOD_NOTHING)
    _small_report(WORKBENCH["root"])
    return sesame_url + "atelier/"


@pytest.fixture
def page(browser: Browser, atelier_url: str) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="fr-FR")
    context.set_default_timeout(20_000)
    opened = context.new_page()
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.goto(atelier_url)
    yield opened
    context.close()
    assert errors == []


def _audit(page: Page, what: str) -> None:
    violations = axe_violations(page)
    assert violations == [], f"{what}:\n{describe(violations)}"


def _fits(page: Page) -> None:
    """No sideways scrolling, at 1280 px and at 1024 px."""
    for width in (1024, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"{page.url} is {overflow} px too wide at {width} px"


def _shot(page: Page, name: str) -> None:
    REPORTS.mkdir(exist_ok=True)
    page.screenshot(path=str(REPORTS / f"atelier-{name}.png"), full_page=True)


def _check(page: Page, name: str) -> None:
    _audit(page, name)
    _fits(page)
    _shot(page, name)


def _sign_in(page: Page, login: str) -> None:
    page.get_by_label("Identifiant").fill(login)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_label("Mot de passe").press("Enter")
    expect(page.get_by_role("heading", name="Boîte de revue")).to_be_visible()


def test_a_trainer_reviews_teaches_checks_and_reads_the_report(page: Page, atelier_url: str) -> None:
    # Sign in: the workbench's own form, which comes back here.
    expect(page.get_by_role("heading", name="Connexion à l'atelier des formateurs")).to_be_visible()
    _check(page, "connexion")
    _sign_in(page, TRAINER)

    # The inbox: the message Sésame did not understand, moved to an intent with the keyboard.
    item = page.locator(".inbox-item", has_text=UNDERSTOOD_NOTHING)
    expect(item).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    expect(item).to_contain_text("Pas compris")
    # The conversation by its reference, never by its id (the member's chat credential).
    reference = item.locator(".reference").inner_text()
    assert REFERENCE.fullmatch(reference), reference
    assert SENDER not in page.content()
    _check(page, "boite")
    chooser = item.get_by_label("Déplacer vers")
    chooser.select_option("forgot_access_code")
    chooser.press("Enter")
    expect(item.locator(".decision-prise")).to_contain_text("Déplacée", timeout=ANSWER_TIMEOUT_MS)
    expect(item.get_by_role("button", name="Écarter")).to_be_disabled()
    nlu = (WORKBENCH["root"] / "data" / "nlu").glob("*.yml")
    assert any(UNDERSTOOD_NOTHING in path.read_text(encoding="utf-8") for path in nlu)

    # The conversation of that message, as a test story: without the widget's own « Bonjour », with
    # the question the trainer just chose (not Sésame's « not understood »), turn by turn in French.
    item.get_by_role("link", name="Enregistrer la conversation comme test").click()
    expect(page.get_by_role("heading", name="Enregistrer une conversation comme test")).to_be_visible()
    expect(page.get_by_label("Référence de la conversation")).to_have_value(reference)
    assert SENDER not in page.url and SENDER not in page.content()
    expect(page.locator("#enregistrees-vide")).to_be_visible()
    page.get_by_role("button", name="Aperçu").click()
    expect(page.locator("#histoire")).to_contain_text(UNDERSTOOD_NOTHING)
    notes = page.locator("#histoire-notes")
    expect(notes).to_contain_text("n'est pas repris : l'adhérent ne l'a pas tapé")
    expect(notes).to_contain_text(
        "comme décidé dans la boîte de revue par formatrice-navigateur (Sésame n'avait pas compris)"
    )
    expect(page.locator("#histoire-tours")).to_contain_text(
        "question attendue : J'ai oublié mon code d'accès"
    )
    assert "Bonjour" not in (page.locator("#histoire").text_content() or "")
    expect(page.locator("#histoire-avertissements-bloc")).to_be_hidden()
    _check(page, "conversation")
    page.get_by_role("button", name="Enregistrer ce test").click()
    expect(page.locator("#succes-conversation")).to_contain_text("« Produire le rapport »")
    saved = page.locator(".saved-story")
    expect(saved).to_have_count(1)
    expect(saved).to_contain_text("Rien ne contredit vos décisions ni les données.")
    # A turn given a question that contradicts the decision: said; then the story deleted.
    saved.get_by_label("Question attendue au passage 1").select_option("access_code_rules")
    saved.get_by_role("button", name="Enregistrer les modifications").click()
    expect(page.locator("#succes-enregistrees")).to_contain_text("Histoire modifiée.")
    expect(saved.locator(".warnings")).to_contain_text("rangé dans « J'ai oublié mon code d'accès »")
    _check(page, "histoire-avertissement")
    saved.get_by_role("button", name="Supprimer l'histoire").click()
    saved.get_by_role("button", name="Oui, supprimer cette histoire").click()
    expect(page.locator("#succes-enregistrees")).to_contain_text("Histoire de test supprimée")
    expect(page.locator("#enregistrees-vide")).to_be_visible()
    assert not list((WORKBENCH["root"] / "tests" / "stories").glob("test_saved_*.yml"))

    # A new question, 10 examples: previewed, then written (into the copy of the project).
    page.keyboard.press("Alt+2")
    if "question" not in page.url:  # Chromium on Linux: access keys are Alt, but be sure
        page.get_by_role("link", name="Nouvelle question").click()
    expect(page.get_by_role("heading", name="Nouvelle question", exact=True)).to_be_visible()
    page.get_by_label("Libellé (la question, en français)").fill("Mon code peut-il commencer par un zéro ?")
    page.get_by_label("Thème").select_option("code_acces")
    page.get_by_label("Exemples, un par ligne").fill("\n".join(EXAMPLES))
    expect(page.locator("#compte-exemples")).to_have_text("10 exemples")
    page.get_by_label("Phrases de contrôle, une par ligne").fill("\n".join(HOLDOUT))
    page.get_by_label("Réponse de Sésame").first.fill(ANSWER)
    page.get_by_label("Texte du bouton 1").fill("Recevoir un nouveau code")
    page.get_by_label("Question que le bouton pose 1").select_option("forgot_access_code")
    page.get_by_label("Section du document d'aide à laquelle elle répond").select_option("3.2")
    page.get_by_role("button", name="Voir ce qui sera écrit").first.click()
    expect(page.locator("#apercu-resume")).to_contain_text("Aperçu", timeout=ANSWER_TIMEOUT_MS)
    # Plain French first; the files behind « Détails techniques », closed.
    summary = page.locator("#apercu-liste")
    expect(summary).to_contain_text(
        "Sésame apprendra 10 façons de dire « Mon code peut-il commencer par un zéro ? »"
    )
    expect(summary).to_contain_text("Section du document d'aide : 3.2 Personnaliser mon code d'accès")
    expect(page.locator("#apercu-fichiers")).to_be_hidden()
    _check(page, "question")
    page.get_by_text("Détails techniques : les fichiers modifiés").first.click()
    expect(page.locator("#apercu-fichiers")).to_contain_text("intents.yml")
    _check(page, "question-details")
    page.get_by_role("button", name="Écrire la question").click()
    expect(page.locator("#succes-nouvelle")).to_contain_text("ajoutée", timeout=ANSWER_TIMEOUT_MS)
    assert "Mon code peut-il commencer par un zéro ?" in (WORKBENCH["root"] / "intents.yml").read_text(
        encoding="utf-8"
    )
    # « Hors sujet » can be edited too.
    page.get_by_label("Question", exact=True).select_option(label="Hors sujet")
    page.get_by_role("button", name="Ouvrir").click()
    expect(page.locator("#modifier-exemples li").first).to_be_visible()

    # The check: started with a button, followed by its progress bar, its French verdict.
    page.get_by_role("link", name="Vérifier et mesurer").click()
    expect(page.get_by_role("heading", name="Vérifier et mesurer")).to_be_visible()
    page.get_by_role("button", name="Lancer la vérification").click()
    # While it works, the button says so (never an empty box).
    working = page.get_by_role("button", name="Vérification en cours…")
    expect(working).to_have_attribute("aria-busy", "true")
    _check(page, "verifier-en-cours")
    verdict = page.locator("#verification-message")
    expect(verdict).to_be_visible(timeout=180_000)
    expect(verdict).to_have_text(VERDICT)
    expect(page.get_by_role("button", name="Lancer la vérification")).to_be_enabled()
    expect(page.locator("#dernier-rapport")).to_contain_text("F1 moyen (phrases de contrôle)")
    _check(page, "verifier")

    # The report, served by the workbench.
    page.get_by_role("link", name="Ouvrir le dernier rapport").click()
    expect(page.get_by_role("heading", name="Rapport de Sésame")).to_be_visible()
    _check(page, "rapport")

    # The statistics.
    page.goto(atelier_url + "statistiques")
    expect(page.get_by_role("heading", name="Statistiques", exact=True)).to_be_visible()
    expect(page.locator("#stats-taux")).to_contain_text("Messages des adhérents")
    _check(page, "statistiques")


def test_an_answer_the_member_denied_is_in_the_inbox_with_its_reason(page: Page, atelier_url: str) -> None:
    _chat(atelier_url.removesuffix("atelier/"), WRONGLY_ANSWERED, DENYING_SENDER)
    _chat(atelier_url.removesuffix("atelier/"), DENIAL, DENYING_SENDER)
    _sign_in(page, TRAINER)
    # Listed among the rest (the trainer's walk may have decided the other messages already).
    item = page.locator(".inbox-item", has_text=WRONGLY_ANSWERED)
    expect(item).to_be_visible(timeout=ANSWER_TIMEOUT_MS)
    page.get_by_label("Raison").select_option(label="Réponse contestée")
    page.get_by_role("button", name="Filtrer").click()
    # Filtered: every message left is one the member contested.
    expect(page.locator(".inbox-item")).to_have_count(1)
    expect(item).to_be_visible()
    expect(item.locator(".raisons")).to_contain_text("Réponse contestée")
    expect(item.locator(".explications")).to_contain_text(f"L'adhérent a contesté la réponse : « {DENIAL} »")
    # The message listed is the one Sésame answered, not the denial.
    expect(page.locator(".inbox-item .texte", has_text=DENIAL)).to_have_count(0)
    _audit(page, "boîte de revue, réponse contestée")
    _shot(page, "boite-contestee")


def test_a_failed_check_names_the_line_and_a_superviseur_can_put_a_model_in_service(
    page: Page, atelier_url: str
) -> None:
    # A phrase of the held-out set copied into the training data (by hand: the workbench
    # refuses it), then the check from the superviseur's page; the file is put back after.
    root = WORKBENCH["root"]
    nlu = root / "data" / "nlu" / "code_acces.yml"
    original = nlu.read_text(encoding="utf-8")
    anchor = "- intent: access_code_rules\n  examples: |\n"
    assert anchor in original
    copied = "combien de chiffres doit contenir le code d'accès ?"
    assert copied in (root / "tests" / "holdout" / "nlu_holdout.yml").read_text(encoding="utf-8")
    nlu.write_text(original.replace(anchor, f"{anchor}    - {copied}\n", 1), encoding="utf-8")
    try:
        _sign_in(page, SUPERVISOR)
        page.get_by_role("link", name="Vérifier et mesurer").click()
        expect(page.get_by_role("heading", name="Mettre en service")).to_be_visible()
        expect(page.get_by_role("button", name="Entraîner et mettre en service")).to_be_enabled()
        # The model make run started with is in the history from the first start: it is the one
        # the first promotion will roll back to, and until then the page promises no rollback.
        expect(page.locator("#modele-actif")).to_have_text(re.compile(r"^sesame-\d{8}-\d{6}\.tar\.gz$"))
        expect(page.locator("#modele-precedent")).to_have_text("aucun")
        expect(page.locator("#modele-retour")).to_contain_text(
            "Aucun modèle précédent : le retour n'est pas possible."
        )
        expect(page.get_by_role("button", name="Revenir au modèle précédent")).to_be_disabled()
        page.get_by_role("button", name="Lancer la vérification").click()
        verdict = page.locator("#verification-message")
        expect(verdict).to_be_visible(timeout=180_000)
        expect(verdict).not_to_have_text(VERDICT)
        problems = page.locator("#verification-problemes")
        expect(problems).to_contain_text("data/nlu/code_acces.yml, ligne")
        expect(problems).to_contain_text("une phrase de contrôle")
        # The full text, readable: a scrolling block, no word cut in two.
        page.get_by_text("Détails techniques : le texte complet de la vérification").click()
        expect(page.locator("#verification-texte")).to_contain_text("Couverture du document d'aide")
        expect(page.locator("#verification-texte")).to_contain_text("« Lancer la vérification »")
        _check(page, "verifier-echec")
    finally:
        nlu.write_text(original, encoding="utf-8")
