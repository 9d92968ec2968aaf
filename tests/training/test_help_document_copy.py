"""The project's copy of the help document (docs/) is the original's, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.training.coverage import HELP_DOCUMENT_NAME, default_help_document

ROOT = Path(__file__).resolve().parents[2]


def test_the_copy_in_docs_is_the_shared_original() -> None:
    copy = ROOT / "docs" / HELP_DOCUMENT_NAME
    original = ROOT.parent / "shared" / "seed" / HELP_DOCUMENT_NAME
    assert copy.is_file()
    if not original.is_file():
        pytest.skip("no ../shared/seed beside this clone: the copy is what the checks read")
    assert copy.read_text(encoding="utf-8") == original.read_text(encoding="utf-8"), (
        "docs/ n'a plus le texte du document d'aide partagé : recopiez-le"
    )


def test_a_clone_without_the_shared_folder_reads_the_copy(tmp_path: Path) -> None:
    project = tmp_path / "sesame"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / HELP_DOCUMENT_NAME).write_text("1. Comment se connecter ?\n", encoding="utf-8")
    assert default_help_document(project) == project / "docs" / HELP_DOCUMENT_NAME
