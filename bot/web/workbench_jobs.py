"""The workbench's long tasks: the data check and the report, in the background, one of each at a time.

The check (``make check-data``'s logic, ``bot.training.check``) runs in a thread of
the web process, step by step so that the page can say which step it is at. The
report (``make report``: training, held-out phrases, cross-validation, test stories)
takes many minutes and runs Rasa: it is a child process (``python -m
bot.training.report``), whose progress lines (« [2/5] Phrases de contrôle… ») the
page polls. Both read and write the workbench's project folder only
(``Settings.workbench_path``), never another.

The state is kept in memory: the web tier is one process (``python -m bot.web``),
and a restart only forgets the progress of a task, not its result (the report is
in ``reports/``, the check is quick to run again).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import Engine

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.releases import history, loading
from bot.settings import PROJECT_ROOT, Settings
from bot.training.check import AGAIN_IN_THE_WORKBENCH, rasa_validate, render, run_checks
from bot.training.coverage import default_help_document
from bot.training.evaluation import EvaluationFailed, Evaluations
from bot.training.project import ProjectError
from bot.web import workbench_promotion as promotion

JobKind = Literal["verification", "rapport", "modele"]
JobState = Literal["en_cours", "reussi", "echec"]
MAX_LINES = 200
REPORT_TIMEOUT_SECONDS = 3 * 3600
# « [2/5] Phrases de contrôle (tests/holdout)… » or « [2/5] Phrases de contrôle [####----] 0 min 41 s »
_PROGRESS = re.compile(r"^\[(\d+)/(\d+)\]\s+(.*?)(?:…|\s+\[([#-]+)\].*)?$")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


@dataclass
class Job:
    """One run of the check or of the report, as the page shows it."""

    kind: JobKind
    number: int
    started_by: str
    started_at: dt.datetime = field(default_factory=_now)
    state: JobState = "en_cours"
    step: int = 0
    steps: int = 0
    step_label: str = ""
    # Within the current step, 0–1, when known (the report's bar, from the previous run).
    fraction: float | None = None
    lines: list[str] = field(default_factory=list)
    message: str = ""
    result: dict[str, Any] | None = None
    finished_at: dt.datetime | None = None

    @property
    def percent(self) -> int:
        """Overall progress, 0–100 (100 only once finished)."""
        if self.state != "en_cours":
            return 100
        if not self.steps:
            return 0
        done = max(self.step - 1, 0) + (self.fraction or 0.0)
        return min(99, int(100 * done / self.steps))

    def say(self, line: str) -> None:
        self.lines.append(line)
        del self.lines[:-MAX_LINES]

    def at_step(self, step: int, steps: int, label: str, fraction: float | None = None) -> None:
        self.step, self.steps, self.step_label, self.fraction = step, steps, label, fraction


class Jobs:
    """The latest job of each kind; a new one starts only when the previous one is over."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, Job] = {}
        self._count = 0

    def latest(self, kind: JobKind) -> Job | None:
        with self._lock:
            return self._latest.get(kind)

    def start(self, kind: JobKind, by: str, work: Callable[[Job], None]) -> tuple[Job, bool]:
        """Start ``work`` in a thread; ``(job, False)`` when one of that kind is still running."""
        with self._lock:
            running = self._latest.get(kind)
            if running is not None and running.state == "en_cours":
                return running, False
            self._count += 1
            job = Job(kind, self._count, by)
            self._latest[kind] = job
        thread = threading.Thread(target=_guarded, args=(work, job), name=f"workbench-{kind}", daemon=True)
        thread.start()
        return job, True


def _guarded(work: Callable[[Job], None], job: Job) -> None:
    try:
        work(job)
    except Exception as error:
        job.state, job.message = "echec", f"La tâche s'est arrêtée sur une erreur inattendue : {error}"
    finally:
        if job.state == "en_cours":
            job.state = "reussi"
        job.finished_at = _now()


# --- the check ------------------------------------------------------------------------------


def check_work(
    root: Path, rasa: Path, allowed_bases: tuple[str, ...], help_document: Path | None = None
) -> Callable[[Job], None]:
    """``make check-data`` on ``root``: Rasa's validation, then the lint and the coverage table.

    The help document is this project's (``../shared/seed/`` beside it), also for a copy.
    """

    def work(job: Job) -> None:

        job.at_step(1, 2, "Validation de Rasa (rasa data validate)")
        job.say("Validation de Rasa…")
        rasa_problems = rasa_validate(root, rasa)
        job.at_step(2, 2, "Relecture des données (exemples, réponses, liens, couverture)")
        job.say("Relecture des données…")
        try:
            result = run_checks(
                root,
                help_document or default_help_document(PROJECT_ROOT),
                with_rasa=False,
                allowed_bases=allowed_bases,
            )
        except ProjectError as error:
            job.state, job.message = "echec", f"Impossible de lire le projet : {error}"
            return
        result.problems[:0] = rasa_problems
        result.rasa_ran = True
        job.result = {**result.as_dict(), "texte": render(result, AGAIN_IN_THE_WORKBENCH)}
        count = len(result.problems)
        if result.ok:
            job.state, job.message = "reussi", "Données vérifiées : aucun problème."
        else:
            job.state = "echec"
            job.message = f"{count} problème{'s' if count > 1 else ''} à corriger."

    return work


# --- the report -----------------------------------------------------------------------------


def report_command(root: Path) -> list[str]:
    """``make report`` on ``root`` (this project's Python, so the child finds ``bot``)."""
    return [sys.executable, "-m", "bot.training.report", "--racine", str(root)]


def read_progress(line: str, job: Job) -> None:
    """Follow the report's progress lines; every line is kept for the page."""
    text = _ANSI.sub("", line).rstrip()
    if not text:
        return
    job.say(text)
    found = _PROGRESS.match(text.strip())
    if found:
        step, steps, label, bar = found.groups()
        fraction = bar.count("#") / len(bar) if bar else 0.0
        job.at_step(int(step), int(steps), label.strip(), fraction)


def report_work(command: Sequence[str], cwd: Path = PROJECT_ROOT) -> Callable[[Job], None]:
    def work(job: Job) -> None:
        env = {**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "PYTHONUNBUFFERED": "1"}
        job.say("Rapport lancé : entraînement, puis les mesures (plusieurs minutes).")
        with subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
            list(command),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            encoding="utf-8",
            errors="replace",
        ) as child:
            assert child.stdout is not None  # noqa: S101 - stdout=PIPE
            for line in child.stdout:
                read_progress(line, job)
            code = child.wait(timeout=REPORT_TIMEOUT_SECONDS)
        if code == 0:
            job.state, job.message = "reussi", "Rapport prêt."
        else:
            job.state = "echec"
            job.message = "Le rapport n'a pas pu être produit : voyez les dernières lignes ci-dessous."

    return work


# --- retrain and reload (superviseurs) ---------------------------------------------------


def model_work(
    root: Path,
    rasa: Path,
    allowed_bases: tuple[str, ...],
    engine: Engine,
    settings: Settings,
    actor: str,
    evaluations: Evaluations,
    labels: Mapping[str, str],
) -> Callable[[Job], None]:
    """Check the data, train a candidate, compare it with the model in service, load it: stop on a failure.

    The model that answers is only replaced once the new one is trained, found no worse
    than it beyond the tolerance (``bot.web.workbench_promotion``), and loaded; the one
    before stays in the history for a one-click rollback. A refused candidate stays in the
    history too, for a superviseur's override with a written reason.
    """

    def work(job: Job) -> None:
        job.at_step(1, 4, "Vérification des données")
        job.say("Vérification des données…")
        problems = rasa_validate(root, rasa)
        result = run_checks(
            root, default_help_document(PROJECT_ROOT), with_rasa=False, allowed_bases=allowed_bases
        )
        count = len(problems) + len(result.problems)
        if count:
            job.state = "echec"
            job.message = (
                f"La vérification a trouvé {count} problème{'s' if count > 1 else ''} : corrigez-"
                f"{'les' if count > 1 else 'le'} d'abord (« Vérifier les données »). Rien n'a changé."
            )
            return
        job.at_step(2, 4, "Entraînement d'un nouveau modèle (une à deux minutes)")
        job.say("Entraînement…")
        history.adopt_startup_model(_now(), history.MODELS_DIR)
        try:
            name = loading.train_candidate(root=root)
        except loading.TrainingFailed as failure:
            job.state, job.message = "echec", f"{failure} Le modèle en service n'a pas changé."
            return
        with session_scope(engine) as session:
            audit.record(session, actor, AgentAction.MODEL_TRAINED, modele=name)
        job.at_step(3, 4, "Comparaison avec le modèle en service (phrases de contrôle, histoires de test)")
        job.say("Comparaison avec le modèle en service…")
        try:
            comparison = promotion.gate(evaluations, name, settings.promotion_tolerance, labels)
        except EvaluationFailed as failure:
            job.state, job.message = "echec", f"{failure} Le modèle en service n'a pas changé."
            return
        assert comparison is not None  # noqa: S101 - evaluate=True measures both
        job.result = {"candidat": name, "comparaison": comparison.as_dict()}
        if comparison.refused:
            promotion.audit_refusal(engine, actor, name, comparison)
            job.state = "echec"
            job.message = (
                "Nouveau modèle refusé : il fait moins bien que le modèle en service, au-delà de la "
                f"tolérance de {comparison.as_dict()['tolerance']}. Le modèle en service n'a pas changé. "
                "Voyez ci-dessous ce qui s'est dégradé et corrigez les données ; un superviseur peut aussi "
                "le mettre en service malgré tout, en écrivant pourquoi."
            )
            return
        job.at_step(4, 4, "Chargement dans Sésame, sans interruption")
        job.say(f"Chargement de {name}…")
        try:
            releases = loading.load(engine, settings, name, actor)
        except history.ReleaseError as refused:
            job.state, job.message = "echec", f"{refused} Le modèle en service n'a pas changé."
            return
        job.result = {**job.result, "actif": releases.active, "precedent": releases.previous}
        job.state = "reussi"
        job.message = (
            f"Nouveau modèle en service : {releases.active}. {comparison.sentence()} "
            f"{history.rollback_sentence(releases)}"
        )

    return work
