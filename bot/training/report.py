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
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, TextIO

from jinja2 import Environment, FileSystemLoader, select_autoescape

from bot.training.project import ROOT

SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
STORY_SUMMARY_KEYS = {"conversation_accuracy", *SUMMARY_KEYS}
OUT_OF_SCOPE = "out_of_scope"
# An intent's F1 that moves less than this between two reports is noise, not a change.
CHANGE = 0.005
TEMPLATES = Path(__file__).resolve().parent / "templates"
# Intents without a « Vouliez-vous dire… » label in intents.yml, named for the report.
OTHER_LABELS = {
    "greet": "Bonjour",
    "goodbye": "Au revoir",
    "thank": "Merci",
    "affirm": "Oui",
    "deny": "Non",
    "out_of_scope": "Hors sujet",
    "provide_nir": "Donne son numéro de Sécurité sociale",
    "share_access_code": "Donne son code d'accès",
    "ask_more": "Demande des précisions (« pourquoi ? »)",
    "other_language": "Écrit dans une autre langue",
    "nlu_fallback": "Non compris",
}


def french_labels(root: Path = ROOT) -> dict[str, str]:
    """intent → its French label (intents.yml), or the report's own wording."""
    from bot.dialogue.intents import RegistryError, load_registry

    labels = dict(OTHER_LABELS)
    try:
        labels.update(load_registry(root / "intents.yml").labels)
    except (RegistryError, OSError):
        pass
    return labels


# --- reading Rasa's outputs ------------------------------------------------------------


@dataclass(frozen=True)
class IntentScore:
    name: str
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class Misclassified:
    text: str
    expected: str
    predicted: str
    confidence: float


@dataclass(frozen=True)
class ConfusedPair:
    expected: str
    predicted: str
    count: int
    phrases: tuple[str, ...]
    suggestion: str


@dataclass
class NluResult:
    macro_f1: float
    scores: list[IntentScore]
    errors: list[Misclassified]
    out_of_scope_recall: float | None = None
    matrix_png: bytes | None = None

    @property
    def weakest(self) -> IntentScore | None:
        return min(self.scores, key=lambda s: (s.f1, s.name), default=None)


@dataclass(frozen=True)
class StoryFailure:
    name: str
    mismatches: tuple[str, ...]


@dataclass
class StoryResult:
    correct: int
    total: int
    failures: list[StoryFailure]

    @property
    def rate(self) -> float:
        return self.correct / self.total if self.total else 0.0


def _label(name: str, labels: Mapping[str, str]) -> str:
    return labels.get(name, name.replace("_", " "))


def read_nlu(directory: Path, labels: Mapping[str, str], fallback_threshold: float = 0.0) -> NluResult | None:
    """``intent_report.json``, ``intent_errors.json`` and the confusion matrix of one ``rasa test nlu``.

    The out-of-scope recall counts a message the fallback would not have understood
    (confidence under ``fallback_threshold``) as handled, as ``bot.training.nlu_scores``.
    """
    report_path = directory / "intent_report.json"
    if not report_path.exists():
        return None
    report: dict[str, Any] = json.loads(report_path.read_text(encoding="utf-8"))
    errors_path = directory / "intent_errors.json"
    raw_errors: list[dict[str, Any]] = (
        json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.exists() else []
    )
    scores = [
        IntentScore(
            name,
            _label(name, labels),
            float(values["precision"]),
            float(values["recall"]),
            float(values["f1-score"]),
            int(values["support"]),
        )
        for name, values in report.items()
        if name not in SUMMARY_KEYS and isinstance(values, dict)
    ]
    errors = [
        Misclassified(
            str(e.get("text", "")),
            str(e.get("intent", "")),
            str((e.get("intent_prediction") or {}).get("name", "")),
            float((e.get("intent_prediction") or {}).get("confidence") or 0.0),
        )
        for e in raw_errors
    ]
    recall = None
    if OUT_OF_SCOPE in report and int(report[OUT_OF_SCOPE]["support"]):
        support = int(report[OUT_OF_SCOPE]["support"])
        missed = [e for e in errors if e.expected == OUT_OF_SCOPE and e.confidence >= fallback_threshold]
        recall = (support - len(missed)) / support
    matrix = directory / "intent_confusion_matrix.png"
    macro = report.get("macro avg", {}).get("f1-score")
    return NluResult(
        macro_f1=float(macro) if macro is not None else 0.0,
        scores=sorted(scores, key=lambda s: s.name),
        errors=errors,
        out_of_scope_recall=recall,
        matrix_png=matrix.read_bytes() if matrix.exists() else None,
    )


def read_stories(directory: Path) -> StoryResult | None:
    """``story_report.json`` and ``failed_test_stories.yml`` of ``rasa test core --e2e``."""
    report_path = directory / "story_report.json"
    if not report_path.exists():
        return None
    report = json.loads(report_path.read_text(encoding="utf-8"))
    accuracy = report.get("conversation_accuracy") or {}
    failures: list[StoryFailure] = []
    failed = directory / "failed_test_stories.yml"
    if failed.exists():
        name: str | None = None
        mismatches: list[str] = []
        for line in failed.read_text(encoding="utf-8").splitlines():
            stripped = line.strip()
            if stripped.startswith("- story:"):
                if name is not None:
                    failures.append(StoryFailure(name, tuple(mismatches)))
                name, mismatches = stripped[len("- story:") :].strip().strip("\"'"), []
            elif "# predicted:" in stripped and name is not None:
                expected, predicted = stripped.split("# predicted:", 1)
                expected = expected.strip().lstrip("- ").strip()
                mismatches.append(f"attendu « {expected} », obtenu « {predicted.strip()} »")
        if name is not None:
            failures.append(StoryFailure(name, tuple(mismatches)))
    return StoryResult(int(accuracy.get("correct", 0)), int(accuracy.get("total", 0)), failures)


# --- what to do about the confusions -------------------------------------------------------


def suggestion(expected: str, predicted: str, back: int, labels: Mapping[str, str]) -> str:
    """A French suggestion for « ``expected`` taken for ``predicted`` » (``back``: the reverse count)."""
    a, b = f"« {_label(expected, labels)} » ({expected})", f"« {_label(predicted, labels)} » ({predicted})"
    if predicted in (OUT_OF_SCOPE, "nlu_fallback"):
        return (
            f"Le bot ne reconnaît pas ces phrases comme {a} : ajoutez à {expected}, dans data/nlu/, "
            "des exemples écrits comme elles (mots de l'adhérent, fautes, style SMS)."
        )
    if expected == OUT_OF_SCOPE:
        return (
            f"Des phrases hors sujet reçoivent la réponse de {b} : ajoutez des phrases de ce genre à "
            "out_of_scope (data/nlu/conversation.yml), et vérifiez qu'aucun exemple de "
            f"{predicted} n'est en fait hors sujet."
        )
    if back:
        return (
            f"{a} et {b} se confondent dans les deux sens : relisez leurs exemples côte à côte. "
            "Si ce sont vraiment deux questions, donnez à chacune des exemples avec les mots qui la "
            "distinguent ; sinon, gardez une seule intention."
        )
    return (
        f"Des phrases de {a} sont comprises comme {b} : ajoutez à {expected} des exemples proches de "
        f"celles-ci, et vérifiez qu'aucun exemple de {predicted} ne parle en fait de {expected}."
    )


def confused_pairs(
    errors: Sequence[Misclassified], labels: Mapping[str, str], limit: int = 8
) -> list[ConfusedPair]:
    """The most frequent (expected, predicted) confusions, with up to three phrases and a suggestion."""
    counts = Counter((e.expected, e.predicted) for e in errors if e.predicted and e.expected != e.predicted)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]
    return [
        ConfusedPair(
            expected,
            predicted,
            count,
            tuple(e.text for e in errors if (e.expected, e.predicted) == (expected, predicted))[:3],
            suggestion(expected, predicted, counts.get((predicted, expected), 0), labels),
        )
        for (expected, predicted), count in ranked
    ]


# --- the summary kept between two reports, and the difference ------------------------------


def summary(
    created: str,
    holdout: NluResult | None,
    robustness: NluResult | None,
    cross_validation: NluResult | None,
    stories: StoryResult | None,
    durations: Mapping[str, float],
) -> dict[str, Any]:
    """What ``report-latest.json`` keeps: the headline figures and every intent's scores."""
    weakest = holdout.weakest if holdout else None
    return {
        "created": created,
        "headline": {
            "holdout_macro_f1": holdout.macro_f1 if holdout else None,
            "holdout_min_f1": weakest.f1 if weakest else None,
            "holdout_min_f1_intent": weakest.name if weakest else None,
            "robustness_macro_f1": robustness.macro_f1 if robustness else None,
            "out_of_scope_recall": holdout.out_of_scope_recall if holdout else None,
            "cross_validation_macro_f1": cross_validation.macro_f1 if cross_validation else None,
            "stories_correct": stories.correct if stories else None,
            "stories_total": stories.total if stories else None,
        },
        "intents": {
            s.name: {"precision": s.precision, "recall": s.recall, "f1": s.f1, "support": s.support}
            for s in (holdout.scores if holdout else [])
        },
        "durations": dict(durations),
    }


@dataclass(frozen=True)
class Change:
    name: str
    label: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float:
        return (self.after or 0.0) - (self.before or 0.0)


@dataclass
class Diff:
    previous_created: str | None
    better: list[Change] = field(default_factory=list)
    worse: list[Change] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    # headline key → (before, after)
    headline: dict[str, tuple[float | None, float | None]] = field(default_factory=dict)

    @property
    def unchanged(self) -> bool:
        return not (self.better or self.worse or self.added or self.removed)


def diff(previous: Mapping[str, Any] | None, latest: Mapping[str, Any], labels: Mapping[str, str]) -> Diff:
    """Which intents got better or worse (held-out F1) since the previous report."""
    if not previous:
        return Diff(None)
    result = Diff(str(previous.get("created") or ""))
    before: Mapping[str, Any] = previous.get("intents") or {}
    after: Mapping[str, Any] = latest.get("intents") or {}
    for name in sorted(set(before) | set(after)):
        if name not in before:
            result.added.append(name)
            continue
        if name not in after:
            result.removed.append(name)
            continue
        change = Change(name, _label(name, labels), float(before[name]["f1"]), float(after[name]["f1"]))
        if change.delta >= CHANGE:
            result.better.append(change)
        elif change.delta <= -CHANGE:
            result.worse.append(change)
    result.better.sort(key=lambda c: -c.delta)
    result.worse.sort(key=lambda c: c.delta)
    old, new = previous.get("headline") or {}, latest.get("headline") or {}
    for key in new:
        if isinstance(new.get(key), (int, float)) or isinstance(old.get(key), (int, float)):
            result.headline[key] = (old.get(key), new.get(key))
    return result


def rotate(reports: Path, latest: Mapping[str, Any]) -> dict[str, Any] | None:
    """``report-latest.json`` becomes ``report-previous.json``; the new summary is the latest.

    Returns the previous summary (None on the first report).
    """
    reports.mkdir(parents=True, exist_ok=True)
    latest_path, previous_path = reports / "report-latest.json", reports / "report-previous.json"
    previous: dict[str, Any] | None = None
    if latest_path.exists():
        try:
            previous = json.loads(latest_path.read_text(encoding="utf-8"))
        except ValueError:
            previous = None
        latest_path.replace(previous_path)
    latest_path.write_text(json.dumps(latest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return previous


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
        label=lambda name: _label(name, report.labels),
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
                    print("Sans modèle, pas de mesure : corrigez les données (make check-data) et relancez.")
                    return 1
        print(f"Mesures terminées en {_duration(time.monotonic() - started)}.")
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
        previous = rotate(reports, latest)
    report = Report(
        paris_time(now), holdout, robustness, cross, stories, diff(previous, latest, labels), labels, statuses
    )
    page = reports / "index.html"
    page.write_text(render_html(report), encoding="utf-8")
    print(headline_text(report))
    print(f"Rapport : {page} (ouvrez-le dans un navigateur)")
    return 0


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
