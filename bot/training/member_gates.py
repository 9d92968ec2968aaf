"""The NLU gates as the member sees them: scored after the fallback, wrong answers counted apart.

``rasa test nlu`` scores the classifier's own guess: it undoes the FallbackClassifier,
so a right guess under the threshold counts as right although the member got the
« Vouliez-vous dire… » menu. Here each prediction is first turned into what the member
saw (``as_member_sees``): ``nlu_fallback`` under the threshold of ``config.yml`` (and,
when the runner-up's confidence is known, when the two are closer than the
``ambiguity_threshold``). Then:

- macro-F1 over the intents of the set, a fallback counting as a miss;
- the *confidently wrong* rate: a wrong intent at confidence ≥ 0.8, over all messages.
  Worse than a fallback: the member is told something beside the point, with no menu;
- the *in-scope fallback* rate: messages of a real intent that got the menu instead;
- out-of-scope recall counted strictly: only ``out_of_scope`` itself is right;
- the lowest intent's F1 (the robustness set's per-intent minimum);
- the expected calibration error (ECE): how far the confidence is from the share of
  right guesses at that confidence, reported, not gated.

A ratchet, not a wish: the bars of issue 23 (macro-F1 0.97, 1 %, 3 %, 0.95, 0.85) are
the *targets*, printed beside each measure; what fails the build is a *floor* (the
``--min-…`` / ``--max-…`` options), set a little under what the current model measures
and raised as the data improves, so a regression fails at once while the gap to the
targets stays visible in every run instead of a red build nobody can fix in one commit.

``gate`` takes plain ``Prediction`` records (text, gold, predicted, confidence), so
any runner that parses messages can feed it; ``read_rasa_predictions`` reads them from
``intent_successes.json`` and ``intent_errors.json`` of ``rasa test nlu --successes``,
where the runner-up is not written: the ambiguity fallback is then not seen, and the
scores err on the member's good side for the fallback rate only.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.training.nlu_scores import fallback_threshold
from bot.training.report_masking import mask_secrets

FALLBACK = "nlu_fallback"
OUT_OF_SCOPE = "out_of_scope"
CONFIDENT = 0.8
CALIBRATION_BINS = 10
CONFIG = PROJECT_ROOT / "config.yml"
TARGET = "target_"  # the prefix of a target's option, beside its floor's


@dataclass(frozen=True)
class Prediction:
    text: str
    gold: str
    predicted: str
    confidence: float
    runner_up: float | None = None  # the second intent's confidence, when the runner knows it


@dataclass(frozen=True)
class Bars:
    min_macro_f1: float = 0.0
    min_intent_f1: float = 0.0
    max_confidently_wrong: float = 1.0
    max_in_scope_fallback: float = 1.0
    min_out_of_scope_recall: float = 0.0


@dataclass
class GateResult:
    label: str
    total: int
    macro_f1: float
    f1_by_intent: dict[str, float]
    confidently_wrong: list[Prediction]
    in_scope_fallbacks: list[Prediction]
    in_scope_total: int
    out_of_scope_recall: float | None
    calibration_error: float
    failures: list[str] = field(default_factory=list)

    @property
    def confidently_wrong_rate(self) -> float:
        return len(self.confidently_wrong) / self.total if self.total else 0.0

    @property
    def in_scope_fallback_rate(self) -> float:
        return len(self.in_scope_fallbacks) / self.in_scope_total if self.in_scope_total else 0.0

    @property
    def weakest(self) -> tuple[str, float]:
        return min(self.f1_by_intent.items(), key=lambda item: (item[1], item[0]), default=("", 0.0))


def ambiguity_threshold(config: Path = CONFIG) -> float:
    """The FallbackClassifier's ``ambiguity_threshold`` in ``config.yml`` (0 when there is none)."""
    text = config.read_text(encoding="utf-8")
    match = re.search(
        r"name:\s*FallbackClassifier\s*\n(?:\s+\w+:.*\n)*?\s+ambiguity_threshold:\s*([0-9.]+)", text
    )
    return float(match.group(1)) if match else 0.0


def as_member_sees(prediction: Prediction, threshold: float, ambiguity: float = 0.0) -> Prediction:
    """The prediction the member got: ``nlu_fallback`` when the FallbackClassifier would have said so."""
    unsure = prediction.confidence < threshold
    close = prediction.runner_up is not None and prediction.confidence - prediction.runner_up < ambiguity
    return replace(prediction, predicted=FALLBACK) if unsure or close else prediction


def f1_by_intent(predictions: Sequence[Prediction]) -> dict[str, float]:
    """F1 of each gold intent of the set (a fallback is a miss, never a class of its own)."""
    scores: dict[str, float] = {}
    for intent in sorted({p.gold for p in predictions}):
        hits = sum(1 for p in predictions if p.gold == intent and p.predicted == intent)
        support = sum(1 for p in predictions if p.gold == intent)
        claimed = sum(1 for p in predictions if p.predicted == intent)
        precision = hits / claimed if claimed else 0.0
        recall = hits / support
        scores[intent] = 2 * precision * recall / (precision + recall) if hits else 0.0
    return scores


def calibration_error(predictions: Sequence[Prediction], bins: int = CALIBRATION_BINS) -> float:
    """Expected calibration error of the classifier's top confidence (before the fallback).

    Confidences in ``bins`` equal-width bins; in each, the gap between the mean confidence
    and the share of right guesses, weighted by the bin's size. 0 is a confidence that means
    what it says; 0.2 is a bot 20 points surer (or less sure) than it is right.
    """
    if not predictions:
        return 0.0
    grouped: dict[int, list[Prediction]] = {}
    for p in predictions:
        grouped.setdefault(min(int(p.confidence * bins), bins - 1), []).append(p)
    gap = 0.0
    for members in grouped.values():
        confidence = sum(p.confidence for p in members) / len(members)
        accuracy = sum(1 for p in members if p.predicted == p.gold) / len(members)
        gap += len(members) * abs(confidence - accuracy)
    return gap / len(predictions)


def gate(
    predictions: Sequence[Prediction],
    bars: Bars,
    *,
    label: str = "NLU",
    threshold: float | None = None,
    ambiguity: float | None = None,
) -> GateResult:
    """Scores of ``predictions`` (the classifier's guesses, fallback undone) as the member saw them."""
    threshold = fallback_threshold() if threshold is None else threshold
    ambiguity = ambiguity_threshold() if ambiguity is None else ambiguity
    seen = [as_member_sees(p, threshold, ambiguity) for p in predictions]
    scores = f1_by_intent(seen)
    in_scope = [p for p in seen if p.gold != OUT_OF_SCOPE]
    out_of_scope = [p for p in seen if p.gold == OUT_OF_SCOPE]
    result = GateResult(
        label=label,
        total=len(seen),
        macro_f1=sum(scores.values()) / len(scores) if scores else 0.0,
        f1_by_intent=scores,
        confidently_wrong=[
            p for p in seen if p.predicted not in (p.gold, FALLBACK) and p.confidence >= CONFIDENT
        ],
        in_scope_fallbacks=[p for p in in_scope if p.predicted == FALLBACK],
        in_scope_total=len(in_scope),
        out_of_scope_recall=(
            sum(1 for p in out_of_scope if p.predicted == OUT_OF_SCOPE) / len(out_of_scope)
            if out_of_scope
            else None
        ),
        calibration_error=calibration_error(predictions),
    )
    result.failures = _failures(result, bars)
    return result


def _failures(result: GateResult, bars: Bars) -> list[str]:
    failures = []
    if result.macro_f1 < bars.min_macro_f1:
        failures.append(f"macro-F1 {result.macro_f1:.3f} < {bars.min_macro_f1:.2f}")
    below = [
        f"{name} {f1:.2f}" for name, f1 in sorted(result.f1_by_intent.items()) if f1 < bars.min_intent_f1
    ]
    if below:
        failures.append(f"F1 par intention sous {bars.min_intent_f1:.2f} : {', '.join(below)}")
    if result.confidently_wrong_rate > bars.max_confidently_wrong:
        failures.append(
            f"erreurs sûres d'elles {result.confidently_wrong_rate:.1%} > {bars.max_confidently_wrong:.1%}"
        )
    if result.in_scope_fallback_rate > bars.max_in_scope_fallback:
        failures.append(f"incompris {result.in_scope_fallback_rate:.1%} > {bars.max_in_scope_fallback:.1%}")
    recall = result.out_of_scope_recall
    if recall is not None and recall < bars.min_out_of_scope_recall:
        failures.append(f"rappel hors-sujet {recall:.3f} < {bars.min_out_of_scope_recall:.2f}")
    return failures


def summary(result: GateResult) -> list[str]:
    """The lines printed for a set, errors included, for the trainer reading CI's log."""
    name, f1 = result.weakest
    recall = "—" if result.out_of_scope_recall is None else f"{result.out_of_scope_recall:.3f}"
    fallbacks = f"{len(result.in_scope_fallbacks)}/{result.in_scope_total}"
    lines = [
        f"{result.label} : {result.total} phrases, {len(result.f1_by_intent)} intentions (après le repli)",
        f"{result.label} macro-F1 = {result.macro_f1:.3f} ; intention la plus basse {name} {f1:.3f}",
        f"{result.label} erreurs sûres d'elles (confiance ≥ {CONFIDENT}) = "
        f"{result.confidently_wrong_rate:.1%} ({len(result.confidently_wrong)}) ; "
        f"questions du périmètre non comprises = {result.in_scope_fallback_rate:.1%} ({fallbacks}) ; "
        f"rappel hors-sujet (strict) = {recall}",
        f"{result.label} erreur de calibration (ECE) = {result.calibration_error:.3f}",
    ]
    lines += [
        f"  sûr et faux {p.confidence:.2f} {p.gold} → {p.predicted}: {p.text}"
        for p in result.confidently_wrong
    ]
    return lines


# Each bar: its name in French, the measure, and whether it is a minimum (True) or a maximum.
_MEASURES: dict[str, tuple[str, Callable[[GateResult], float | None], bool]] = {
    "min_macro_f1": ("macro-F1", lambda r: r.macro_f1, True),
    "min_intent_f1": ("intention la plus basse (F1)", lambda r: r.weakest[1], True),
    "max_confidently_wrong": ("erreurs sûres d'elles", lambda r: r.confidently_wrong_rate, False),
    "max_in_scope_fallback": (
        "questions du périmètre non comprises",
        lambda r: r.in_scope_fallback_rate,
        False,
    ),
    "min_out_of_scope_recall": ("rappel hors-sujet (strict)", lambda r: r.out_of_scope_recall, True),
}


def _shown(value: float, bar: str) -> str:
    """A rate (the ``max_`` bars) in per cent, a score with three decimals."""
    return f"{value:.1%}" if bar.startswith("max_") else f"{value:.3f}"


def ratchet(result: GateResult, floors: dict[str, float], targets: dict[str, float]) -> list[str]:
    """One line per bar given: the measure, its floor (the build fails past it), the issue's target."""
    lines = []
    for bar, (name, measure, is_minimum) in _MEASURES.items():
        value = measure(result)
        if value is None or (bar not in floors and bar not in targets):
            continue
        parts = [f"{result.label} {name} : mesuré {_shown(value, bar)}"]
        if bar in floors:
            side = "en dessous" if is_minimum else "au-dessus"
            parts.append(f"plancher {_shown(floors[bar], bar)} (échoue {side})")
        if bar in targets:
            reached = value >= targets[bar] if is_minimum else value <= targets[bar]
            verdict = "atteint" if reached else "pas encore atteint"
            parts.append(f"objectif du ticket {_shown(targets[bar], bar)} ({verdict})")
        lines.append(" — ".join(parts))
    return lines


def read_rasa_predictions(directory: Path) -> list[Prediction]:
    """Every message of a ``rasa test nlu --successes`` run, right and wrong."""
    records: list[dict[str, object]] = []
    for name in ("intent_successes.json", "intent_errors.json"):
        path = directory / name
        if path.exists():
            records += json.loads(path.read_text(encoding="utf-8"))
    predictions = []
    for record in records:
        guess = record["intent_prediction"]
        if not isinstance(guess, dict):
            raise ValueError(f"{directory}: intent_prediction inattendu {guess!r}")
        predictions.append(
            Prediction(
                text=str(record["text"]),
                gold=str(record["intent"]),
                predicted=str(guess.get("name") or FALLBACK),
                confidence=float(guess.get("confidence") or 0.0),
            )
        )
    return predictions


def texts_of(path: Path) -> set[str]:
    """The phrases of a Rasa NLU file, or of a folder's, as ``rasa test`` reports them (no annotations)."""
    annotation = re.compile(r"\[([^\]]+)\]\([^)]+\)")
    files = sorted(path.glob("*.yml")) if path.is_dir() else [path]
    lines = [x for f in files for x in f.read_text(encoding="utf-8").splitlines()]
    return {annotation.sub(r"\1", x.strip()[2:].strip()) for x in lines if x.startswith("    - ")}


def split_by_file(predictions: Iterable[Prediction], files: Sequence[Path]) -> list[list[Prediction]]:
    """One run's predictions, back into the files their phrases came from (the first file wins)."""
    owners = [texts_of(path) for path in files]
    parts: list[list[Prediction]] = [[] for _ in files]
    for p in predictions:
        for part, texts in zip(parts, owners, strict=True):
            if p.text in texts:
                part.append(p)
                break
    return parts


class _NewSet(argparse.Action):
    """``--set PATH`` opens a set; the options after it (label, bars) are that set's."""

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: object, *_: object
    ) -> None:
        namespace.sets = [
            *(getattr(namespace, "sets", None) or []),
            {"path": Path(str(value)), "label": None},
        ]


class _OfLastSet(argparse.Action):
    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, value: object, *_: object
    ) -> None:
        if not getattr(namespace, "sets", None):
            parser.error(f"{self.option_strings[0]} vient après le --set auquel il s'applique")
        namespace.sets[-1][self.dest] = value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.member_gates", description=__doc__)
    parser.add_argument("results", type=Path, help="the --out folder of rasa test nlu --successes")
    parser.add_argument("--set", action=_NewSet, required=True, help="a tested NLU file or folder")
    parser.add_argument("--label", action=_OfLastSet)
    for bar in _MEASURES:
        option = "--" + bar.replace("_", "-")
        parser.add_argument(option, dest=bar, action=_OfLastSet, type=float, help="a floor: fails the build")
        parser.add_argument(
            "--target" + option[1:].replace("-min-", "-").replace("-max-", "-", 1),
            dest=TARGET + bar,
            action=_OfLastSet,
            type=float,
            help="the issue's bar: printed, never fails",
        )
    args = parser.parse_args(argv)

    parts = split_by_file(read_rasa_predictions(args.results), [s["path"] for s in args.sets])
    failed = False
    for options, predictions in zip(args.sets, parts, strict=True):
        floors = {k: v for k, v in options.items() if k in _MEASURES}
        targets = {k.removeprefix(TARGET): v for k, v in options.items() if k.startswith(TARGET)}
        label = options["label"] or options["path"].stem
        result = gate(predictions, Bars(**floors), label=label)
        print("\n".join(summary(result) + ratchet(result, floors, targets)))
        for failure in result.failures:
            print(f"FAILED: {label}: {failure}", file=sys.stderr)
        failed = failed or bool(result.failures) or not predictions
    mask_secrets(args.results)  # Rasa copied the phrases, generated numbers included
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
