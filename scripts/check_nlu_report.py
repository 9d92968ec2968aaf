"""Fail when the held-out intent macro-F1 is below the bar, and print it.

Reads the ``intent_report.json`` written by ``rasa test nlu``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

SUMMARY_KEYS = {"accuracy", "macro avg", "weighted avg", "micro avg"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("report", type=Path)
    parser.add_argument("--min-macro-f1", type=float, required=True)
    args = parser.parse_args(argv)

    report = json.loads(args.report.read_text(encoding="utf-8"))
    macro_f1 = float(report["macro avg"]["f1-score"])
    per_intent = {name: values for name, values in report.items() if name not in SUMMARY_KEYS}
    weakest = sorted(per_intent.items(), key=lambda item: item[1]["f1-score"])[:5]
    print(f"NLU held-out: {int(report['macro avg']['support'])} phrases, {len(per_intent)} intents")
    print(f"NLU held-out intent macro-F1 = {macro_f1:.3f} (minimum {args.min_macro_f1:.2f})")
    print("Weakest intents: " + ", ".join(f"{n} {v['f1-score']:.2f}" for n, v in weakest))
    if macro_f1 < args.min_macro_f1:
        print("FAILED: held-out macro-F1 below the minimum", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
