"""Print the result of `rasa test core --e2e` from its story report, and fail on any error.

End to end (``--e2e``), the report's labels are the predicted actions, the intents
NLU gave the user's texts, and the entities (as ``[value](entity)``); all count.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from bot.training.report_masking import mask_secrets

SUMMARY_KEYS = {"conversation_accuracy", "accuracy", "macro avg", "weighted avg", "micro avg"}


def is_action(label: str) -> bool:
    return label.startswith(("action_", "utter_")) or label.endswith("_form")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.story_scores", description=__doc__)
    parser.add_argument("report", type=Path, help="story_report.json")
    args = parser.parse_args(argv)
    report = json.loads(args.report.read_text(encoding="utf-8"))
    mask_secrets(args.report.parent)  # Rasa copied the stories' texts, generated numbers included
    if "conversation_accuracy" not in report:
        print("Story tests: aucun résultat (fichier d'histoires vide ou non reconnu comme test_*.yml)")
        return 1
    stories = report["conversation_accuracy"]
    labels = {label: entry for label, entry in report.items() if label not in SUMMARY_KEYS}
    counts = {"actions": 0, "intents": 0, "entities": 0}
    for label, entry in labels.items():
        kind = "entities" if label.startswith("[") else "actions" if is_action(label) else "intents"
        counts[kind] += int(entry.get("support", 0))
    print(
        f"Story tests: {stories['correct']}/{stories['total']} conversations followed exactly; "
        f"{counts['actions']} actions, {counts['intents']} intents, {counts['entities']} entities predicted; "
        f"accuracy {report['accuracy']:.3f}"
    )
    return 0 if stories["correct"] == stories["total"] else 1


if __name__ == "__main__":
    sys.exit(main())
