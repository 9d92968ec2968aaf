"""The bars of make nlu-eval / nlu-robust / story-test (bot/training/nlu_scores.py, story_scores.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from bot.training import nlu_scores, story_scores


def intent_report(f1: dict[str, float], support: int = 10) -> dict[str, Any]:
    report: dict[str, Any] = {
        name: {"f1-score": value, "support": support, "precision": value, "recall": value}
        for name, value in f1.items()
    }
    report["macro avg"] = {"f1-score": sum(f1.values()) / len(f1), "support": support * len(f1)}
    return report


def test_the_fallback_threshold_is_read_from_the_configuration() -> None:
    assert 0 < nlu_scores.fallback_threshold() < 1


def test_an_out_of_scope_message_that_falls_back_counts_as_handled() -> None:
    report = intent_report({"out_of_scope": 0.8})
    errors = [
        {"intent": "out_of_scope", "intent_prediction": {"name": "greet", "confidence": 0.3}},
        {"intent": "out_of_scope", "intent_prediction": {"name": "greet", "confidence": 0.9}},
    ]
    assert nlu_scores.out_of_scope_recall(report, errors, threshold=0.45) == (0.8, 0.9, 10)


def test_the_bars_pass_and_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "intent_report.json"
    path.write_text(json.dumps(intent_report({"greet": 0.99, "thank": 0.85})), encoding="utf-8")
    assert nlu_scores.main([str(path), "--min-macro-f1", "0.9"]) == 0
    assert nlu_scores.main([str(path), "--min-macro-f1", "0.9", "--min-intent-f1", "0.9"]) == 1
    assert "thank 0.85" in capsys.readouterr().err


def test_the_story_bar_fails_on_one_conversation_off_the_script(tmp_path: Path) -> None:
    report = {
        "conversation_accuracy": {"correct": 2, "total": 3},
        "accuracy": 0.98,
        "utter_greet": {"support": 3},
        "greet": {"support": 3},
    }
    path = tmp_path / "story_report.json"
    path.write_text(json.dumps(report), encoding="utf-8")
    assert story_scores.main([str(path)]) == 1
    report["conversation_accuracy"] = {"correct": 3, "total": 3}
    path.write_text(json.dumps(report), encoding="utf-8")
    assert story_scores.main([str(path)]) == 0
