"""What a new question or an intent edit changes in the project, as unified diffs.

The workbench shows a trainer the files a change touches before anything is
written (a dry run on a throw-away copy of the project), and the same diffs once
it is written (against a copy taken just before). Only the parts of the project
the writers (``bot.workbench.writers``) touch are copied: a copy stays cheap.
"""

from __future__ import annotations

import difflib
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

# The parts of the project a new question or an edit touches, copied for a dry run.
PREVIEW_PARTS = (
    "intents.yml",
    "config.yml",
    "couverture.yml",
    "data",
    "domain",
    "tests/stories",
    "tests/holdout",
)
MAX_DIFF_LINES = 400
GENERATED_VARIANTS = "(copies bruitées des exemples, générées à nouveau)"

Outcome = TypeVar("Outcome")


@dataclass(frozen=True)
class FileDiff:
    """One changed file: its path in the project and its unified diff (French note for generated files)."""

    path: str
    diff: str


def scratch_copy(root: Path, into: Path) -> None:
    """Copy the preview parts of the project at ``root`` into ``into``."""
    for part in PREVIEW_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, into / part)
        elif source.is_file():
            (into / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / part)


def changes(before: Path, after: Path) -> list[FileDiff]:
    """Every file of the preview parts that differs, as a unified diff (the generated variants summed up)."""
    found: list[FileDiff] = []
    names: set[str] = set()
    for base in (before, after):
        for part in PREVIEW_PARTS:
            path = base / part
            if path.is_file():
                names.add(part)
            elif path.is_dir():
                names.update(p.relative_to(base).as_posix() for p in path.rglob("*") if p.is_file())
    for name in sorted(names):
        old = (before / name).read_text(encoding="utf-8").splitlines() if (before / name).is_file() else []
        new = (after / name).read_text(encoding="utf-8").splitlines() if (after / name).is_file() else []
        if old == new:
            continue
        if name.endswith("variantes.yml"):
            found.append(FileDiff(path=name, diff=GENERATED_VARIANTS))
            continue
        diff = list(difflib.unified_diff(old, new, fromfile=name, tofile=name, lineterm="", n=1))[2:]
        if len(diff) > MAX_DIFF_LINES:
            diff = [*diff[:MAX_DIFF_LINES], f"… ({len(diff) - MAX_DIFF_LINES} lignes de plus)"]
        found.append(FileDiff(path=name, diff="\n".join(diff)))
    return found


def dry_run(root: Path, write: Callable[[Path], Outcome]) -> tuple[Outcome, list[FileDiff]]:
    """``write(scratch_root)`` on a copy of the project: what it would change, nothing touched."""
    with tempfile.TemporaryDirectory(prefix="workbench-preview-") as scratch:
        copy = Path(scratch)
        scratch_copy(root, copy)
        outcome = write(copy)
        return outcome, changes(root, copy)


def written(root: Path, write: Callable[[Path], Outcome]) -> tuple[Outcome, list[FileDiff]]:
    """``write(root)`` for real, and what it changed (against a copy taken just before)."""
    with tempfile.TemporaryDirectory(prefix="workbench-before-") as before:
        scratch_copy(root, Path(before))
        outcome = write(root)
        return outcome, changes(Path(before), root)


# --- what a change teaches Sésame, in French (the files stay under « Détails techniques ») ---


def _quoted_list(texts: list[str]) -> str:
    return " ; ".join(f"« {t} »" for t in texts)


def question_summary(
    *,
    label: str,
    examples: list[str],
    answer: str,
    buttons: list[tuple[str, str]],
    holdout: int,
    topic: str,
    section: str | None,
    digression: bool,
) -> list[str]:
    """A new question in plain French: ``buttons`` are (title, the French label of what it asks)."""
    said = [
        f"Sésame apprendra {len(examples)} façons de dire « {label.strip()} ».",
        f"Exemples ajoutés : {_quoted_list(examples)}.",
        f"Réponse : {answer.strip()}",
    ]
    if buttons:
        said.append(
            "Boutons sous la réponse : "
            + " ; ".join(f"« {title} » (pose « {asks} »)" for title, asks in buttons)
            + "."
        )
    said.append(
        f"{holdout} phrases de contrôle mesureront si Sésame comprend la question ; "
        "elles ne servent pas à l'apprentissage."
    )
    said.append(f"Thème : {topic}.")
    said.append(
        f"Section du document d'aide : {section}."
        if section
        else "Section du document d'aide : aucune choisie (la question n'apparaîtra pas dans le tableau "
        "de couverture)."
    )
    if digression:
        said.append("Elle pourra être posée au milieu d'une démarche (diagnostic, nouveau code, rappel).")
    if examples:
        said.append(f"Une histoire de test vérifiera que Sésame donne cette réponse à « {examples[0]} ».")
    return said


def edit_summary(
    *,
    label: str,
    added: list[str],
    removed: list[str],
    answer: str | None,
    buttons: list[tuple[str, str]] | None,
) -> list[str]:
    """An existing question changed, in plain French."""
    said: list[str] = []
    if added:
        said.append(f"Exemples ajoutés à « {label} » : {_quoted_list(added)}.")
    if removed:
        said.append(f"Exemples retirés de « {label} » : {_quoted_list(removed)}.")
    if answer is not None:
        said.append(f"Nouvelle réponse : {answer.strip()}")
    if buttons is not None:
        said.append(
            "Boutons sous la réponse : "
            + (" ; ".join(f"« {title} » (pose « {asks} »)" for title, asks in buttons) or "aucun")
            + "."
        )
    return said or ["Aucun changement."]
