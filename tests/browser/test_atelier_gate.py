"""The promotion gate in a real browser, against the real Sésame: one harmful training, refused.

A superviseur finds the shipped model in service and no rollback; a harmful change (the
examples of « J'ai oublié mon code d'accès » and of the letter's question swapped in the training
data of the workbench's copy) is trained, evaluated on the held-out phrases, their noisy
copies and the test stories, compared with the model in service and refused, the
comparison shown in French; the superviseur puts it in service anyway with a written
reason (refused without one), the rollback is then available, and after the rollback and
a reload the page says what really answers. axe-core on every new state, screenshots
``reports/atelier-gate-*.png``. The models live in the services' own folder
(``SESAME_MODELS_DIR``, tests/browser/conftest.py), never this project's.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.browser.conftest import WORKBENCH
from tests.browser.test_atelier import SUPERVISOR, _check, _sign_in, atelier_url, page  # noqa: F401 - fixtures

# Training, two evaluations (the model in service is measured again if the tests changed),
# on two busy cores.
GATE_TIMEOUT_MS = 900_000
SHIPPED = re.compile(r"^sesame-\d{8}-\d{6}\.tar\.gz$")


def _swap_intents() -> dict[Path, str]:
    """The harmful change: two questions' examples swapped everywhere; the original texts, to put back.

    Everywhere (noisy copies and generated examples too): the data check finds no example
    of one under the other, only the model learns the wrong answer for both.
    """
    swap = {
        "- intent: forgot_access_code": "- intent: postal_letter",
        "- intent: postal_letter": "- intent: forgot_access_code",
    }
    originals = {
        path: path.read_text(encoding="utf-8") for path in (WORKBENCH["root"] / "data" / "nlu").glob("*.yml")
    }
    for path, text in originals.items():
        lines = [swap.get(line, line) for line in text.split("\n")]
        path.write_text("\n".join(lines), encoding="utf-8")
    assert sum(text.count("- intent: forgot_access_code\n") for text in originals.values()) >= 3
    return originals


def test_a_harmful_model_is_refused_then_forced_with_a_reason_and_rolled_back(page: Page) -> None:  # noqa: F811
    _sign_in(page, SUPERVISOR)
    page.get_by_role("link", name="Vérifier et mesurer").click()
    active = page.locator("#modele-actif")
    expect(active).to_have_text(SHIPPED)
    shipped = active.inner_text()
    expect(page.get_by_role("button", name="Revenir au modèle précédent")).to_be_disabled()
    originals = _swap_intents()
    try:
        page.get_by_role("button", name="Entraîner et mettre en service").click()
        message = page.locator("#modele-message")
        expect(message).to_contain_text("Nouveau modèle refusé", timeout=GATE_TIMEOUT_MS)
        expect(message).to_contain_text("Le modèle en service n'a pas changé")
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
    expect(active).to_have_text(shipped)
    comparison = page.locator("#modele-comparaison")
    expect(comparison).to_be_visible()
    expect(comparison).to_contain_text("au-delà de la tolérance")
    overall = page.locator("#comparaison-ensemble")
    expect(overall.get_by_role("row").filter(has_text="Phrases de contrôle").first).to_contain_text(
        "moins bien"
    )
    # Per question, by the labels trainers know, never the intents' names.
    questions = page.locator("#comparaison-questions")
    expect(questions).to_contain_text("J'ai oublié mon code d'accès")
    expect(questions).not_to_contain_text("forgot_access_code")
    _check(page, "gate-refuse")

    # The override: a reason is required, then the model answers and the shipped one is the rollback.
    force = page.get_by_role("button", name="Mettre en service malgré tout")
    force.click()
    expect(page.locator("#erreur-forcer")).to_contain_text("la raison")
    expect(page.get_by_label(re.compile("Pourquoi ce modèle"))).to_be_focused()
    _check(page, "gate-raison")
    page.get_by_label(re.compile("Pourquoi ce modèle")).fill(
        "Essai de la procédure de retour : mis en service volontairement, retiré aussitôt."
    )
    force.click()
    expect(message).to_contain_text("malgré la comparaison", timeout=GATE_TIMEOUT_MS)
    expect(active).not_to_have_text(shipped)
    forced = active.inner_text()
    expect(page.locator("#modele-precedent")).to_have_text(shipped)
    expect(page.locator("#forcer-modele")).to_be_hidden()
    rollback = page.get_by_role("button", name="Revenir au modèle précédent")
    expect(rollback).to_be_enabled()
    _check(page, "gate-force")

    rollback.click()
    expect(message).to_contain_text("Modèle précédent remis en service", timeout=GATE_TIMEOUT_MS)
    expect(active).to_have_text(shipped)
    page.reload()
    expect(active).to_have_text(shipped)
    expect(page.locator("#modele-precedent")).to_have_text(forced)
    expect(page.locator("#modele-message")).not_to_contain_text("Nouveau modèle en service")
    _check(page, "gate-retour")
