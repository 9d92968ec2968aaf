"""What ``rasa test nlu`` and ``rasa test core`` wrote, read into small data, and what to do about confusions.

Rasa's output files (``intent_report.json``, ``intent_errors.json``, the confusion
matrix, ``story_report.json``, ``failed_test_stories.yml``) are the measure; this
module turns them into the scores, errors and confused pairs the report shows, with
the intents' French labels and a suggestion for the trainer for each confusion.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
STORY_SUMMARY_KEYS = {"conversation_accuracy", *SUMMARY_KEYS}
OUT_OF_SCOPE = "out_of_scope"


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


def label_of(name: str, labels: Mapping[str, str]) -> str:
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
            label_of(name, labels),
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
    a = f"« {label_of(expected, labels)} » ({expected})"
    b = f"« {label_of(predicted, labels)} » ({predicted})"
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
