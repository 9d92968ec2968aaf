"""The promotion gate: a new model compared with the one in service, in plain French.

Both evaluations (``bot.training.evaluation``) are on the same phrases and stories.
On each phrase set and on the test stories, the share the member gets right is
compared: a candidate that does worse than the model in service by more than the
tolerance (``PROMOTION_TOLERANCE``, in percentage points) on any of them is refused.
Per question (intent, by its French label from ``intents.yml``), the page says
what got better, what got worse and how many stayed the same.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from bot.training.evaluation import Evaluation, IntentTally, SetResult

Verdict = Literal["mieux", "pareil", "moins bien"]
WORDS: dict[Verdict, str] = {"mieux": "mieux", "pareil": "pareil", "moins bien": "moins bien"}


@dataclass(frozen=True)
class Measure:
    """One figure before (model in service) and after (candidate)."""

    label: str
    before_correct: int
    before_total: int
    after_correct: int
    after_total: int
    verdict: Verdict
    beyond_tolerance: bool = False

    @property
    def before_rate(self) -> float:
        return self.before_correct / self.before_total if self.before_total else 1.0

    @property
    def after_rate(self) -> float:
        return self.after_correct / self.after_total if self.after_total else 1.0


@dataclass(frozen=True)
class QuestionChange:
    intent: str
    label: str
    before: str  # « 14/15 »
    after: str
    verdict: Verdict


@dataclass
class Comparison:
    refused: bool
    tolerance: float
    overall: list[Measure]
    questions: list[QuestionChange] = field(default_factory=list)
    unchanged_questions: int = 0

    @property
    def verdict(self) -> Verdict:
        if any(m.verdict == "moins bien" for m in self.overall):
            return "moins bien"
        return "mieux" if any(m.verdict == "mieux" for m in self.overall) else "pareil"

    def sentence(self) -> str:
        """One French sentence for the page's message."""
        if self.refused:
            worse = ", ".join(
                f"{m.label.lower()} ({_figure(m.before_correct, m.before_total)} → "
                f"{_figure(m.after_correct, m.after_total)})"
                for m in self.overall
                if m.beyond_tolerance
            )
            return (
                f"Le nouveau modèle fait moins bien que le modèle en service, au-delà de la tolérance de "
                f"{_points(self.tolerance)} : {worse}."
            )
        return {
            "mieux": "Le nouveau modèle fait mieux que le modèle en service.",
            "pareil": "Le nouveau modèle fait aussi bien que le modèle en service.",
            "moins bien": (
                "Le nouveau modèle fait un peu moins bien que le modèle en service, dans la tolérance de "
                f"{_points(self.tolerance)}."
            ),
        }[self.verdict]

    def as_dict(self) -> dict[str, Any]:
        """For the page (JSON): the figures and the French words."""
        return {
            "refuse": self.refused,
            "verdict": self.verdict,
            "phrase": self.sentence(),
            "tolerance": _points(self.tolerance),
            "ensemble": [
                {
                    "libelle": m.label,
                    "avant": _figure(m.before_correct, m.before_total),
                    "apres": _figure(m.after_correct, m.after_total),
                    "verdict": m.verdict,
                    "hors_tolerance": m.beyond_tolerance,
                }
                for m in self.overall
            ],
            "questions": [asdict(q) for q in self.questions],
            "questions_inchangees": self.unchanged_questions,
        }

    def audit_figures(self) -> dict[str, str]:
        """The figures the audit log keeps with an override, one entry per measure."""
        return {
            _key(
                m.label
            ): f"{_figure(m.before_correct, m.before_total)} -> {_figure(m.after_correct, m.after_total)}"
            for m in self.overall
        }


def _key(label: str) -> str:
    return {
        "Phrases de contrôle": "phrases_de_controle",
        "Phrases de contrôle mal tapées": "phrases_mal_tapees",
        "Histoires de test": "histoires_de_test",
    }.get(label, label.lower().replace(" ", "_"))


def _percent(rate: float) -> str:
    return f"{rate * 100:.1f} %".replace(".", ",")


def _figure(correct: int, total: int) -> str:
    return f"{correct}/{total} ({_percent(correct / total if total else 1.0)})"


def _points(tolerance: float) -> str:
    text = f"{tolerance:g}".replace(".", ",")
    return f"{text} point" + ("s" if tolerance >= 2 else "")


def _verdict(before: float, after: float) -> Verdict:
    if after > before:
        return "mieux"
    return "moins bien" if after < before else "pareil"


def _measure(label: str, before: tuple[int, int], after: tuple[int, int], tolerance: float) -> Measure:
    before_rate = before[0] / before[1] if before[1] else 1.0
    after_rate = after[0] / after[1] if after[1] else 1.0
    # Compared in points, rounded to a thousandth of a point: 0.1 + 0.2 must not refuse 0.3.
    drop = round((before_rate - after_rate) * 100, 3)
    return Measure(
        label, *before, *after, _verdict(before_rate, after_rate), beyond_tolerance=drop > tolerance
    )


def _tally(result: SetResult | None, intent: str) -> IntentTally:
    return (result.intents.get(intent) if result else None) or IntentTally()


def compare(
    active: Evaluation, candidate: Evaluation, tolerance: float, labels: Mapping[str, str]
) -> Comparison:
    """The candidate against the model in service; refused when worse beyond ``tolerance`` points."""
    overall = []
    for after in candidate.sets:
        before = active.set_named(after.name)
        overall.append(
            _measure(
                after.label,
                (before.correct, before.phrases) if before else (0, 0),
                (after.correct, after.phrases),
                tolerance,
            )
        )
    if candidate.stories is not None:
        old = active.stories
        overall.append(
            _measure(
                "Histoires de test",
                (old.correct, old.total) if old else (0, 0),
                (candidate.stories.correct, candidate.stories.total),
                tolerance,
            )
        )
    questions, unchanged = _questions(active, candidate, labels)
    return Comparison(any(m.beyond_tolerance for m in overall), tolerance, overall, questions, unchanged)


def _questions(
    active: Evaluation, candidate: Evaluation, labels: Mapping[str, str]
) -> tuple[list[QuestionChange], int]:
    """Per intent, every phrase set together: the questions that changed, worse first."""
    names = sorted({n for s in [*active.sets, *candidate.sets] for n in s.intents})
    changes, unchanged = [], 0
    for name in names:
        before = [_tally(active.set_named(s.name), name) for s in candidate.sets]
        after = [_tally(s, name) for s in candidate.sets]
        old = (sum(t.correct for t in before), sum(t.support for t in before))
        new = (sum(t.correct for t in after), sum(t.support for t in after))
        verdict = _verdict(old[0] / old[1] if old[1] else 1.0, new[0] / new[1] if new[1] else 1.0)
        if verdict == "pareil":
            unchanged += 1
            continue
        changes.append(
            QuestionChange(
                name,
                labels.get(name, name.replace("_", " ")),
                f"{old[0]}/{old[1]}",
                f"{new[0]}/{new[1]}",
                verdict,
            )
        )
    changes.sort(key=lambda c: (c.verdict != "moins bien", c.label.lower()))
    return changes, unchanged
