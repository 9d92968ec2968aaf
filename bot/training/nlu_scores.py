"""Fail when the held-out NLU scores are below the bars, and print them.

Reads the ``intent_report.json`` (and, for the out-of-scope recall, the
``intent_errors.json`` beside it) written by ``rasa test nlu``.

Three bars, because a good average can hide one intent that members never get
answered (the per-intent minimum) and a bot that answers a login question to a
member asking about his refunds (the out-of-scope recall).

Out of scope, a message the FallbackClassifier would not have understood counts as
handled: the member then gets "Vouliez-vous dire…" / the topic menu and the way to a
human, never a wrong login answer, which is what ``utter_out_of_scope`` gives him
too. ``rasa test nlu`` undoes the fallback to report the classifier's own guess, so
such a message is recognised by its confidence below the threshold in ``config.yml``.
A fallback caused only by two close intents (``ambiguity_threshold``) cannot be seen
in the report: it counts as a miss, so the measure errs on the strict side.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

from bot.settings import PROJECT_ROOT
from bot.training.report_masking import mask_secrets

SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}
OUT_OF_SCOPE = "out_of_scope"
CONFIG = PROJECT_ROOT / "config.yml"


def fallback_threshold(config: Path = CONFIG) -> float:
    """The FallbackClassifier's ``threshold`` in ``config.yml`` (0 when there is none)."""
    text = config.read_text(encoding="utf-8")
    match = re.search(r"name:\s*FallbackClassifier\s*\n(?:\s+\w+:.*\n)*?\s+threshold:\s*([0-9.]+)", text)
    return float(match.group(1)) if match else 0.0


def out_of_scope_recall(
    report: dict[str, Any], errors: list[dict[str, Any]], threshold: float
) -> tuple[float, float, int]:
    """(strict recall, recall with fallbacks accepted, support) of ``out_of_scope``."""
    support = int(report[OUT_OF_SCOPE]["support"])
    missed = [e for e in errors if e["intent"] == OUT_OF_SCOPE]
    fallbacks = [e for e in missed if float(e["intent_prediction"]["confidence"]) < threshold]
    strict = (support - len(missed)) / support
    lenient = (support - len(missed) + len(fallbacks)) / support
    return strict, lenient, support


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.nlu_scores", description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-macro-f1", type=float, required=True)
    parser.add_argument("--min-intent-f1", type=float, default=0.0)
    parser.add_argument(
        "--min-out-of-scope-recall",
        type=float,
        default=0.0,
        help="out_of_scope recall, messages that fall back counted as handled",
    )
    parser.add_argument("--label", default="NLU held-out")
    args = parser.parse_args(argv)

    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro_f1 = float(report["macro avg"]["f1-score"])
    per_intent = {name: values for name, values in report.items() if name not in SUMMARY_KEYS}
    ranked = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])
    weakest_name, weakest = ranked[0]
    print(f"{args.label}: {int(report['macro avg']['support'])} phrases, {len(per_intent)} intents")
    print(f"{args.label} intent macro-F1 = {macro_f1:.3f} (minimum {args.min_macro_f1:.2f})")
    print(
        f"{args.label} lowest intent F1 = {weakest['f1-score']:.3f} ({weakest_name}; "
        f"minimum {args.min_intent_f1:.2f})"
    )
    print("Weakest intents: " + ", ".join(f"{n} {v['f1-score']:.2f}" for n, v in ranked[:5]))
    failed = False
    if macro_f1 < args.min_macro_f1:
        print(f"FAILED: {args.label} macro-F1 below the minimum", file=sys.stderr)
        failed = True
    if weakest["f1-score"] < args.min_intent_f1:
        below = [f"{n} {v['f1-score']:.2f}" for n, v in ranked if v["f1-score"] < args.min_intent_f1]
        print(f"FAILED: intent F1 below the minimum: {', '.join(below)}", file=sys.stderr)
        failed = True
    if args.min_out_of_scope_recall > 0:
        errors_path = args.report.with_name("intent_errors.json")
        errors = json.loads(errors_path.read_text(encoding="utf-8")) if errors_path.exists() else []
        threshold = fallback_threshold()
        strict, lenient, support = out_of_scope_recall(report, errors, threshold)
        print(
            f"{args.label} out_of_scope recall = {lenient:.3f} with fallbacks (confidence < "
            f"{threshold:.2f}) accepted, {strict:.3f} strict, on {support} phrases "
            f"(minimum {args.min_out_of_scope_recall:.2f})"
        )
        if lenient < args.min_out_of_scope_recall:
            print("FAILED: out_of_scope recall below the minimum", file=sys.stderr)
            failed = True
    mask_secrets(args.report.parent)  # Rasa copied the phrases, generated numbers included
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
