"""The trained models kept for loading and rollback: ``models/history/`` and ``models/releases.json``.

Each training for the workbench writes ``models/history/sesame-<UTC time>.tar.gz``.
``releases.json`` says which one answers (``actif``) and which answered before
(``precedent``, the one-click rollback). The active model is also copied to
``models/sesame.tar.gz``, the file ``make run`` starts Rasa with, so a restart keeps
the model that was loaded. Files are replaced atomically (write, then rename).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.settings import PROJECT_ROOT

MODELS_DIR = PROJECT_ROOT / "models"
HISTORY_DIR = MODELS_DIR / "history"
RELEASES_FILE = MODELS_DIR / "releases.json"
STARTUP_MODEL = MODELS_DIR / "sesame.tar.gz"
KEEP = 10  # older models than this many are deleted, never the active or previous one


class ReleaseError(ValueError):
    """The step is impossible (no previous model, unknown file…); French message."""


@dataclass(frozen=True)
class Releases:
    active: str | None
    previous: str | None


def candidate_name(now: dt.datetime) -> str:
    return "sesame-" + now.astimezone(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")


def read(models_dir: Path = MODELS_DIR) -> Releases:
    path = models_dir / RELEASES_FILE.name
    if not path.is_file():
        return Releases(None, None)
    data = json.loads(path.read_text(encoding="utf-8"))
    return Releases(data.get("actif"), data.get("precedent"))


def _atomic_write(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


def _atomic_copy(source: Path, target: Path) -> None:
    temporary = target.with_suffix(".tmp")
    shutil.copyfile(source, temporary)
    os.replace(temporary, target)


def listed(models_dir: Path = MODELS_DIR) -> list[str]:
    """The models of the history, newest first."""
    history = models_dir / HISTORY_DIR.name
    return sorted((p.name for p in history.glob("sesame-*.tar.gz")), reverse=True)


def record_loaded(name: str, models_dir: Path = MODELS_DIR) -> Releases:
    """``name`` now answers: it becomes active, the old active becomes the rollback."""
    history = models_dir / HISTORY_DIR.name
    if not (history / name).is_file():
        raise ReleaseError(f"Le modèle {name} n'existe pas dans models/history/.")
    before = read(models_dir)
    after = Releases(active=name, previous=before.active if before.active != name else before.previous)
    _atomic_copy(history / name, models_dir / STARTUP_MODEL.name)
    _atomic_write(
        models_dir / RELEASES_FILE.name,
        json.dumps({"actif": after.active, "precedent": after.previous}, ensure_ascii=False, indent=2) + "\n",
    )
    _prune(models_dir, after)
    return after


def _prune(models_dir: Path, releases: Releases) -> None:
    keep = {releases.active, releases.previous}
    for index, name in enumerate(listed(models_dir)):
        if index >= KEEP and name not in keep:
            (models_dir / HISTORY_DIR.name / name).unlink(missing_ok=True)


def rollback_target(models_dir: Path = MODELS_DIR) -> str:
    previous = read(models_dir).previous
    if not previous or not (models_dir / HISTORY_DIR.name / previous).is_file():
        raise ReleaseError("Aucun modèle précédent à rétablir.")
    return previous


def adopt_startup_model(now: dt.datetime, models_dir: Path = MODELS_DIR) -> str | None:
    """The first time: the model ``make`` built goes into the history as the active one.

    So that the first retraining from the workbench has something to roll back to.
    """
    if read(models_dir).active is not None:
        return None
    startup = models_dir / STARTUP_MODEL.name
    if not startup.is_file():
        return None
    history = models_dir / HISTORY_DIR.name
    history.mkdir(parents=True, exist_ok=True)
    name = candidate_name(now) + ".tar.gz"
    shutil.copyfile(startup, history / name)
    _atomic_write(
        models_dir / RELEASES_FILE.name,
        json.dumps({"actif": name, "precedent": None}, ensure_ascii=False, indent=2) + "\n",
    )
    return name
