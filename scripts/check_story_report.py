"""Print the result of `rasa test core` from its story report, and fail on any error."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    report = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    stories = report["conversation_accuracy"]
    actions = report["macro avg"]["support"]
    print(
        f"Story tests: {stories['correct']}/{stories['total']} conversations followed exactly, "
        f"{actions} predicted actions, action accuracy {report['accuracy']:.3f}"
    )
    return 0 if stories["correct"] == stories["total"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
