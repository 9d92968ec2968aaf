"""``make report``: train, measure, and write ``reports/index.html`` for trainers.

The measures are Rasa's own (``rasa test nlu`` on the held-out phrases, on their
badly typed copies and in cross-validation; ``rasa test core --e2e`` on the test
stories); this module reads their output files, compares them with the previous
report, and writes one HTML page that opens in a browser with no server (inline
CSS, the confusion matrix embedded as a PNG). Jinja2 autoescapes: a phrase is shown
as text, whatever it contains.

The reading, comparing and writing are plain functions on small data, tested on
fixture files (``tests/training/``); ``main`` runs the long steps, with a progress
line (step k/n, elapsed time, a bar estimated from the previous run's durations).

    python -m bot.training.report            # everything (make report)
    python -m bot.training.report --rendre   # only rewrite index.html from the last outputs
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.training.project import ROOT
from bot.training.rasa_results import NluResult, StoryResult, confused_pairs, label_of, read_nlu, read_stories
from bot.training.report_history import Diff, diff, rotate, summary
from bot.training.report_masking import mask_secrets

TEMPLATES = Path(__file__).resolve().parent / "templates"


def french_labels(root: Path = ROOT) -> dict[str, str]:
    """intent → its French name for trainers (intents.yml: ``staff_label`` or ``label``)."""
    from bot.dialogue.intents import RegistryError, load_registry

    try:
        return dict(load_registry(root / "intents.yml").staff_labels)
    except (RegistryError, OSError):
        return {}


# --- the page ------------------------------------------------------------------------------


@dataclass
class Report:
    created: str
    holdout: NluResult | None
    robustness: NluResult | None
    cross_validation: NluResult | None
    stories: StoryResult | None
    diff: Diff
    labels: Mapping[str, str]
    steps: list[tuple[str, str]] = field(default_factory=list)  # (step, French status)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f} %".replace(".", ",")


def _number(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}".replace(".", ",")


def _signed(value: float) -> str:
    return f"{value:+.3f}".replace(".", ",")


HEADLINE_NAMES = {
    "holdout_macro_f1": "F1 moyen (phrases de contrôle)",
    "holdout_min_f1": "F1 de l'intention la plus faible",
    "robustness_macro_f1": "F1 moyen, phrases mal tapées",
    "out_of_scope_recall": "Hors sujet reconnus",
    "cross_validation_macro_f1": "F1 moyen en validation croisée",
    "stories_correct": "Histoires de test suivies",
}


def render_html(report: Report) -> str:
    """The page, with Jinja2's autoescaping (a phrase is text, never markup)."""
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]), keep_trailing_newline=True
    )
    environment.filters.update(percent=_percent, number=_number, signed=_signed, moment=_moment)
    holdout = report.holdout
    matrix = base64.b64encode(holdout.matrix_png).decode("ascii") if holdout and holdout.matrix_png else None
    pairs = confused_pairs(holdout.errors, report.labels) if holdout else []
    changes = {c.name: c for c in [*report.diff.better, *report.diff.worse]}
    return environment.get_template("report.html").render(
        r=report,
        matrix=matrix,
        pairs=pairs,
        changes=changes,
        label=lambda name: label_of(name, report.labels),
        headline_names=HEADLINE_NAMES,
    )


def _moment(iso: str) -> str:
    """An ISO time from a summary, as people read it (Paris time); as is when it is not one."""
    try:
        return paris_time(datetime.fromisoformat(iso))
    except (TypeError, ValueError):
        return iso


def paris_time(moment: datetime) -> str:
    try:
        from zoneinfo import ZoneInfo

        local = moment.astimezone(ZoneInfo("Europe/Paris"))
    except Exception:  # no time-zone database: say UTC rather than fail
        return moment.strftime("%d/%m/%Y à %H:%M (UTC)")
    return local.strftime("%d/%m/%Y à %H:%M")


# --- running the long steps, with a progress line ------------------------------------------------


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


class Progress:
    """« [2/5] Phrases de contrôle [######----] 0 min 41 s » while a step runs."""

    def __init__(
        self, total: int, stream: TextIO = sys.stdout, width: int = 24, quiet_every: int = 30
    ) -> None:
        self.total, self.stream, self.width, self.quiet_every = total, stream, width, quiet_every
        self.interactive = stream.isatty()

    def line(self, k: int, label: str, elapsed: float, expected: float | None, done: bool = False) -> str:
        if done:
            bar = "#" * self.width
        elif expected:
            filled = min(int(self.width * elapsed / expected), self.width - 1)
            bar = "#" * filled + "-" * (self.width - filled)
        else:
            spin = int(elapsed) % self.width
            bar = "-" * spin + "#" + "-" * (self.width - spin - 1)
        hint = f" (≈ {_duration(expected)} la dernière fois)" if expected and not done else ""
        return f"[{k}/{self.total}] {label} [{bar}] {_duration(elapsed)}{hint}"

    def run(self, k: int, label: str, work: Callable[[], bool], expected: float | None) -> tuple[bool, float]:
        start = time.monotonic()
        outcome: list[bool] = []
        thread = threading.Thread(target=lambda: outcome.append(work()), daemon=True)
        thread.start()
        if not self.interactive:
            print(f"[{k}/{self.total}] {label}…", file=self.stream, flush=True)
        ticks = 0
        while thread.is_alive():
            thread.join(1.0)
            ticks += 1
            if not thread.is_alive():
                break
            text = self.line(k, label, time.monotonic() - start, expected)
            if self.interactive:
                print("\r" + text.ljust(100), end="", file=self.stream, flush=True)
            elif ticks % self.quiet_every == 0:  # a log file, not a terminal: a line now and then
                print(text, file=self.stream, flush=True)
        elapsed = time.monotonic() - start
        ok = bool(outcome and outcome[0])
        status = "terminé" if ok else "ÉCHEC"
        end = self.line(k, label, elapsed, expected, done=True) + f" {status}"
        print(("\r" + end.ljust(100)) if self.interactive else end, file=self.stream, flush=True)
        return ok, elapsed


def _command(command: list[str], log: Path, root: Path, timeout: float | None = None) -> bool:
    import os

    log.parent.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": str(root),
        "TF_CPP_MIN_LOG_LEVEL": "2",
    }
    with log.open("w", encoding="utf-8") as out:
        try:
            done = subprocess.run(  # noqa: S603 - our own tools, fixed arguments
                command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT, timeout=timeout, check=False
            )
        except subprocess.TimeoutExpired:
            out.write(f"\nArrêté après {timeout} s.\n")
            return False
    return done.returncode == 0


def _fallback_threshold(root: Path) -> float:
    from bot.training.nlu_scores import fallback_threshold

    return fallback_threshold(root / "config.yml")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.training.report", description="Rapport pour les formateurs."
    )
    parser.add_argument("--racine", type=Path, default=ROOT)
    parser.add_argument(
        "--rendre", action="store_true", help="seulement réécrire la page, sans rien relancer"
    )
    parser.add_argument("--plis", type=int, default=3, help="plis de la validation croisée (3)")
    parser.add_argument("--limite-validation-croisee", type=float, default=1200, help="en secondes (1200)")
    args = parser.parse_args(argv)
    root: Path = args.racine.resolve()
    reports = root / "reports"
    raw = reports / "rapport"
    rasa = str(root / ".venv" / "rasa" / "bin" / "rasa")
    python_b = sys.executable
    model = "models/sesame.tar.gz"
    latest_path = reports / "report-latest.json"
    before = json.loads(latest_path.read_text(encoding="utf-8")) if latest_path.exists() else {}
    expected: Mapping[str, float] = before.get("durations") or {}

    def test_nlu(phrases: str, name: str) -> bool:
        """``rasa test nlu`` of the model on ``phrases``: results in ``raw/name``, log ``name.log``."""
        command = [rasa, "test", "nlu", "--model", model, "--domain", "domain", "--nlu", phrases]
        return _command([*command, "--out", str(raw / name)], raw / "journaux" / f"{name}.log", root)

    def robustness_test() -> bool:
        phrases = raw / "robustesse" / "robust.yml"
        written = _command(
            [python_b, "-m", "bot.training.robust", "--holdout", "tests/holdout", "--out", str(phrases)],
            raw / "journaux" / "robustesse-phrases.log",
            root,
        )
        return written and test_nlu(str(phrases), "robustesse")

    def cross_validation() -> bool:
        # Without the noisy copies (variantes.yml): a phrase's copy in the training folds
        # would make the test fold a measure of memory.
        data = raw / "validation-croisee-donnees"
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(parents=True)
        for path in sorted((root / "data" / "nlu").glob("*.yml")):
            if path.name != "variantes.yml":
                shutil.copy(path, data / path.name)
        return _command(
            [
                rasa,
                "test",
                "nlu",
                "--nlu",
                str(data),
                "--config",
                "config.yml",
                "--cross-validation",
                "--folds",
                str(args.plis),
                "--out",
                str(raw / "validation-croisee"),
            ],
            raw / "journaux" / "validation-croisee.log",
            root,
            timeout=args.limite_validation_croisee,
        )

    steps: list[tuple[str, str, Callable[[], bool]]] = [
        (
            "entrainement",
            "Entraînement du modèle",
            lambda: _command(
                ["make", "--no-print-directory", model], raw / "journaux" / "entrainement.log", root
            ),
        ),
        ("controle", "Phrases de contrôle (tests/holdout)", lambda: test_nlu("tests/holdout", "controle")),
        ("robustesse", "Phrases de contrôle mal tapées", robustness_test),
        ("validation_croisee", f"Validation croisée ({args.plis} plis, data/nlu)", cross_validation),
        (
            "histoires",
            "Histoires de test (tests/stories)",
            lambda: _command(
                [
                    rasa,
                    "test",
                    "core",
                    "--e2e",
                    "--model",
                    model,
                    "--stories",
                    "tests/stories",
                    "--out",
                    str(raw / "histoires"),
                ],
                raw / "journaux" / "histoires.log",
                root,
            ),
        ),
    ]
    durations: dict[str, float] = {}
    statuses: list[tuple[str, str]] = []
    # The model in service before this report (the shipped one at first): its evaluation,
    # kept since make model built it, is what the first report is compared with.
    baseline = baseline_summary(root, root / model, french_labels(root), _fallback_threshold(root))
    if not args.rendre:
        for key in ("controle", "robustesse", "validation-croisee", "histoires"):
            shutil.rmtree(raw / key, ignore_errors=True)
        progress = Progress(len(steps))
        started = time.monotonic()
        for k, (key, label, work) in enumerate(steps, start=1):
            ok, elapsed = progress.run(k, label, work, expected.get(key))
            durations[key] = round(elapsed, 1)
            statuses.append((label, f"terminé en {_duration(elapsed)}" if ok else "échec"))
            if not ok:
                log = raw / "journaux"
                print(f"  L'étape « {label} » a échoué : voir les journaux dans {log.relative_to(root)}/")
                if key == "entrainement":
                    print(
                        "Sans modèle, pas de mesure : la vérification des données dit quoi corriger ; "
                        "relancez ensuite."
                    )
                    return 1
        print(f"Mesures terminées en {_duration(time.monotonic() - started)}.")
        mask_secrets(raw)  # Rasa copied the test phrases and stories, generated numbers included
    labels = french_labels(root)
    threshold = _fallback_threshold(root)
    holdout = read_nlu(raw / "controle", labels, threshold)
    robustness = read_nlu(raw / "robustesse", labels, threshold)
    cross = read_nlu(raw / "validation-croisee", labels, threshold)
    stories = read_stories(raw / "histoires")
    now = datetime.now(timezone.utc)
    latest = summary(now.isoformat(timespec="seconds"), holdout, robustness, cross, stories, durations)
    if args.rendre:
        previous_path = reports / "report-previous.json"
        previous = json.loads(previous_path.read_text(encoding="utf-8")) if previous_path.exists() else None
    else:
        previous = rotate(reports, latest) or baseline
    report = Report(
        paris_time(now), holdout, robustness, cross, stories, diff(previous, latest, labels), labels, statuses
    )
    page = reports / "index.html"
    page.write_text(render_html(report), encoding="utf-8")
    print(headline_text(report))
    print(f"Rapport : {page} (ouvrez-le dans un navigateur)")
    return 0


def baseline_summary(
    root: Path, model: Path, labels: Mapping[str, str], threshold: float
) -> dict[str, Any] | None:
    """The kept evaluation of ``model`` (``bot.training.evaluation``) as a report's summary, if any."""
    from bot.training.evaluation import Evaluations

    if not model.is_file():
        return None
    evaluations = Evaluations(root, store=root / "models" / "evaluations")
    evaluation = evaluations.stored(model)
    if evaluation is None:
        return None
    raw = evaluations.raw_folder(model)
    kept = summary(
        evaluation.created,
        read_nlu(raw / "controle", labels, threshold),
        read_nlu(raw / "robustesse", labels, threshold),
        None,
        read_stories(raw / "histoires"),
        {},
    )
    return {**kept, "reference": True}


def headline_text(report: Report) -> str:
    h = report.holdout
    weakest = h.weakest if h else None
    lines = [
        f"F1 moyen (phrases de contrôle) : {_number(h.macro_f1 if h else None)}",
        f"F1 le plus faible : {_number(weakest.f1 if weakest else None)}"
        + (f" ({weakest.name})" if weakest else ""),
        "F1 moyen, phrases mal tapées : "
        f"{_number(report.robustness.macro_f1 if report.robustness else None)}",
        f"Hors sujet reconnus : {_percent(h.out_of_scope_recall if h else None)}",
        f"F1 moyen en validation croisée : "
        f"{_number(report.cross_validation.macro_f1 if report.cross_validation else None)}",
        "Histoires de test suivies : "
        + (f"{report.stories.correct}/{report.stories.total}" if report.stories else "—"),
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
