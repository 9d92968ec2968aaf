"""The project's copy of the help document (docs/) is the original's, word for word.

The original lives beside the clone (``../shared/seed``) on the team's machines, not
in every clone (CI may clone anywhere), so the copy is held twice: against the
original when it is there, and always against ``docs/<name>.sha256``, the digest of
the original recorded when it was copied. A clone without the original still fails
if the copy was edited; a machine with it fails if the original changed since. In
both cases: recopy the original into docs/ and record its digest again.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from bot.training.coverage import HELP_DOCUMENT_NAME, default_help_document

ROOT = Path(__file__).resolve().parents[2]
COPY = ROOT / "docs" / HELP_DOCUMENT_NAME
RECORDED_DIGEST = COPY.with_suffix(".sha256")
ORIGINAL = ROOT.parent / "shared" / "seed" / HELP_DOCUMENT_NAME
RECOPY = (
    f"recopiez ../shared/seed/{HELP_DOCUMENT_NAME} dans docs/ et enregistrez son empreinte : "
    f"sha256sum < docs/{HELP_DOCUMENT_NAME} | cut -d' ' -f1 > docs/{RECORDED_DIGEST.name}"
)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_copy(copy: Path, recorded: Path, original: Path) -> None:
    """The copy is the recorded original; and the original itself, where it is beside the clone."""
    expected = recorded.read_text(encoding="ascii").strip()
    assert digest(copy) == expected, f"docs/{copy.name} a été modifié : {RECOPY}"
    if original.is_file():
        assert digest(original) == expected, f"Le document d'aide partagé a changé : {RECOPY}"


def test_the_copy_in_docs_is_the_recorded_original() -> None:
    check_copy(COPY, RECORDED_DIGEST, ORIGINAL)


@pytest.fixture
def copy_and_record(tmp_path: Path) -> tuple[Path, Path]:
    copy = tmp_path / "docs" / HELP_DOCUMENT_NAME
    copy.parent.mkdir()
    copy.write_bytes(COPY.read_bytes())
    recorded = copy.with_suffix(".sha256")
    recorded.write_text(digest(COPY) + "\n", encoding="ascii")
    return copy, recorded


def test_an_edited_copy_fails_even_without_the_original(
    copy_and_record: tuple[Path, Path], tmp_path: Path
) -> None:
    copy, recorded = copy_and_record
    check_copy(copy, recorded, tmp_path / "absent" / HELP_DOCUMENT_NAME)
    copy.write_text(copy.read_text(encoding="utf-8") + "Une phrase ajoutée.\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="a été modifié"):
        check_copy(copy, recorded, tmp_path / "absent" / HELP_DOCUMENT_NAME)


def test_a_changed_original_fails(copy_and_record: tuple[Path, Path], tmp_path: Path) -> None:
    copy, recorded = copy_and_record
    original = tmp_path / "shared" / HELP_DOCUMENT_NAME
    original.parent.mkdir()
    original.write_text(COPY.read_text(encoding="utf-8").replace("code", "mot de passe", 1), encoding="utf-8")
    with pytest.raises(AssertionError, match="Le document d'aide partagé a changé"):
        check_copy(copy, recorded, original)


def test_a_clone_without_the_shared_folder_reads_the_copy(tmp_path: Path) -> None:
    project = tmp_path / "sesame"
    (project / "docs").mkdir(parents=True)
    (project / "docs" / HELP_DOCUMENT_NAME).write_text("1. Comment se connecter ?\n", encoding="utf-8")
    assert default_help_document(project) == project / "docs" / HELP_DOCUMENT_NAME
