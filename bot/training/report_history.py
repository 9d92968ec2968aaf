"""What one report keeps for the next (``report-latest.json``), and what changed since the previous one.

Two reports are compared on the held-out phrases: an intent whose F1 moved by
``CHANGE`` or more got better or worse; the headline figures are shown side by side.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.training.rasa_results import NluResult, StoryResult, label_of

# An intent's F1 that moves less than this between two reports is noise, not a change.
CHANGE = 0.005


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
    # The previous figures are the evaluation of the model in service (no report before).
    baseline: bool = False
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
    result = Diff(str(previous.get("created") or ""), baseline=bool(previous.get("reference")))
    before: Mapping[str, Any] = previous.get("intents") or {}
    after: Mapping[str, Any] = latest.get("intents") or {}
    for name in sorted(set(before) | set(after)):
        if name not in before:
            result.added.append(name)
            continue
        if name not in after:
            result.removed.append(name)
            continue
        change = Change(name, label_of(name, labels), float(before[name]["f1"]), float(after[name]["f1"]))
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
