"""The project's copy of the help document (docs/) is the original's, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.training.coverage import HELP_DOCUMENT_NAME, default_help_document
from tests.support.postgres import in_ci

ROOT = Path(__file__).resolve().parents[2]
ORIGINAL = ROOT.parent / "shared" / "seed" / HELP_DOCUMENT_NAME


def check_copy(copy: Path, original: Path) -> None:
    """The copy equals the original; without the original, skipped on a laptop, failed in CI."""
    assert copy.is_file()
    if not original.is_file():
        missing = (
            f"Pas de {original} à côté de ce clone : la copie docs/{HELP_DOCUMENT_NAME} n'est pas "
            "comparée au document d'aide partagé."
        )
        if in_ci():
            pytest.fail(f"{missing} En CI (CI=true), le dossier ../shared/seed doit être là.")
        pytest.skip(f"{missing} (Ignoré sur un poste de travail ; en CI, CI=true, ce test échoue.)")
    assert copy.read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), (
        "docs/ n'a plus le texte du document d'aide partagé : recopiez-le"
    )


def test_the_copy_in_docs_is_the_shared_original() -> None:
    check_copy(ROOT / "docs" / HELP_DOCUMENT_NAME, ORIGINAL)


@pytest.mark.parametrize(("ci", "outcome"), [("true", pytest.fail.Exception), ("", pytest.skip.Exception)])
def test_without_the_shared_original_ci_fails_and_a_laptop_skips(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str, outcome: type[BaseException]
) -> None:
    monkeypatch.setenv("CI", ci)
    with pytest.raises(outcome, match="n'est pas comparée au document d'aide partagé"):
        check_copy(ROOT / "docs" / HELP_DOCUMENT_NAME, tmp_path / "seed" / HELP_DOCUMENT_NAME)


def test_a_clone_without_the_shared_folder_reads_the_copy(tmp_path: Path) -> None:
    project = tmp_path / "sesame"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / HELP_DOCUMENT_NAME).write_text("1. Comment se connecter ?\n", encoding="utf-8")
    assert default_help_document(project) == project / "docs" / HELP_DOCUMENT_NAME
