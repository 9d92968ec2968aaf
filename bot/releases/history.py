"""The trained models kept for loading and rollback: ``models/history/`` and ``models/releases.json``.

Each training for the workbench writes ``models/history/sesame-<UTC time>.tar.gz``.
``releases.json`` says which one answers (``actif``) and which answered before
(``precedent``, the one-click rollback). The active model is also copied to
``models/sesame.tar.gz``, the file ``make run`` starts Rasa with, so a restart keeps
the model that was loaded. Files are replaced atomically (write, then rename).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from bot.settings import models_dir

MODELS_DIR = models_dir()  # models/ of this project, or SESAME_MODELS_DIR (tests)
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


def free_name(now: dt.datetime, models_dir: Path = MODELS_DIR) -> str:
    """A candidate name (without ``.tar.gz``) no model of the history has yet.

    Two models named in the same second would be one file: the second would overwrite
    the first (the shipped model lost, no rollback). One second later is free.
    """
    history = models_dir / HISTORY_DIR.name
    while (history / (candidate_name(now) + ".tar.gz")).exists():
        now += dt.timedelta(seconds=1)
    return candidate_name(now)


def adopt_startup_model(now: dt.datetime, models_dir: Path = MODELS_DIR) -> str | None:
    """At the first start: the model ``make model`` built goes into the history as the active one.

    So that the first promotion from the workbench has something to roll back to. The
    copy is named after the time the model was built (the file's date), ``now`` if
    unknown, so that it sorts before every model trained afterwards. ``None`` when
    the history already has an active model or there is no model to adopt.
    """
    if read(models_dir).active is not None:
        return None
    startup = models_dir / STARTUP_MODEL.name
    if not startup.is_file():
        return None
    built = dt.datetime.fromtimestamp(startup.stat().st_mtime, dt.timezone.utc)
    history = models_dir / HISTORY_DIR.name
    history.mkdir(parents=True, exist_ok=True)
    name = free_name(min(built, now), models_dir) + ".tar.gz"
    _atomic_copy(startup, history / name)
    _atomic_write(
        models_dir / RELEASES_FILE.name,
        json.dumps({"actif": name, "precedent": None}, ensure_ascii=False, indent=2) + "\n",
    )
    return name


def adopt_at_start(model: Path, now: dt.datetime, models_dir: Path = MODELS_DIR) -> str | None:
    """``make run`` starts Rasa with ``model``: the startup model joins the history as the active one.

    From the very first start, then, the page says which model answers and the first
    promotion can be rolled back. Another file (``--model``) is not this history's.
    """
    if model.resolve() != (models_dir / STARTUP_MODEL.name).resolve():
        return None
    return adopt_startup_model(now, models_dir)


def model_to_serve(model: Path, models_dir: Path = MODELS_DIR) -> tuple[Path, str | None]:
    """The file Rasa starts with, and a French warning when it is not ``model``.

    ``models/sesame.tar.gz`` is a copy of the model in service, but anything that trains
    (« make model », the trainers' report) writes over it. Starting from it would put a
    model into service that no comparison ever saw (issue 22's promotion gate), and the
    workbench would still name the old one. So once the history has an active model, that
    model answers; the other file waits for « Entraîner et mettre en service ».
    """
    if model.resolve() != (models_dir / STARTUP_MODEL.name).resolve():
        return model, None
    active = read(models_dir).active
    kept = models_dir / HISTORY_DIR.name / active if active else None
    if kept is None or not kept.is_file() or not model.is_file():
        return model, None
    if filecmp.cmp(model, kept, shallow=False):
        return model, None
    return kept, (
        f"models/sesame.tar.gz a été réentraîné depuis la dernière mise en service : c'est le modèle "
        f"en service, {active}, qui répond. Pour mettre le nouveau en service après comparaison : "
        "« Entraîner et mettre en service » dans l'atelier (ou ./sesame model load)."
    )


def rollback_sentence(releases: Releases) -> str:
    """What the workbench says about a rollback, true in each state of the history."""
    if releases.active is None:
        return (
            "Le modèle de démarrage (models/sesame.tar.gz) répond ; il entrera dans l'historique "
            "au prochain démarrage ou à la première mise en service, pour un retour possible ensuite."
        )
    if releases.previous is None:
        return (
            "Aucun modèle précédent : le retour n'est pas possible. Après une mise en service, "
            f"{releases.active} restera disponible pour un retour."
        )
    return f"Le modèle précédent, {releases.previous}, reste disponible pour un retour en un clic."
