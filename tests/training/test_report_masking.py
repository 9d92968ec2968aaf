"""Numbers Rasa copies into its result files are masked before anyone reads reports/."""

from __future__ import annotations

import json
from pathlib import Path

from bot.shared.patterns import CODE_MASK, NIR_MASK
from bot.training import nlu_scores, story_scores
from bot.training.report_masking import mask_secrets
from tests.support.nirs import spellings, with_key

NIR = with_key("2910975006373")


def test_rasas_error_files_keep_no_number_and_stay_json(tmp_path: Path) -> None:
    errors = [
        {"text": f"{spelling} je veux un nouveau code", "entities": [{"value": spelling, "entity": "nir"}]}
        for spelling in spellings(NIR)
    ] + [{"text": "mon code 482 913 est refusé", "confidence": 0.91, "support": 123456}]
    path = tmp_path / "stories" / "TEDPolicy_errors.json"
    path.parent.mkdir()
    path.write_text(json.dumps(errors, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "stories" / "failed_test_stories.yml").write_text(f"- user: |\n    {NIR}\n", encoding="utf-8")
    (tmp_path / "stories" / "story_report.json").write_text('{"accuracy": 1.0}', encoding="utf-8")
    rewritten = mask_secrets(tmp_path)
    assert sorted(p.name for p in rewritten) == ["TEDPolicy_errors.json", "failed_test_stories.yml"]
    masked = json.loads(path.read_text(encoding="utf-8"))
    assert all(NIR_MASK in item["text"] and item["entities"][0]["value"] == NIR_MASK for item in masked[:-1])
    assert masked[-1] == {"text": f"mon code {CODE_MASK} est refusé", "confidence": 0.91, "support": 123456}
    everything = "".join(p.read_text(encoding="utf-8") for p in tmp_path.rglob("*") if p.is_file())
    assert all(spelling not in everything for spelling in spellings(NIR))


def test_the_story_test_masks_its_folder(tmp_path: Path) -> None:
    report = tmp_path / "story_report.json"
    report.write_text(
        json.dumps({"conversation_accuracy": {"correct": 1, "total": 1}, "accuracy": 1.0}), encoding="utf-8"
    )
    (tmp_path / "TEDPolicy_errors.json").write_text(json.dumps([{"text": NIR}]), encoding="utf-8")
    assert story_scores.main([str(report)]) == 0
    assert NIR not in (tmp_path / "TEDPolicy_errors.json").read_text(encoding="utf-8")


def test_the_nlu_evaluation_masks_its_folder(tmp_path: Path) -> None:
    report = tmp_path / "intent_report.json"
    scores = {"precision": 1.0, "recall": 1.0, "f1-score": 1.0, "support": 1}
    report.write_text(json.dumps({"provide_nir": scores, "macro avg": scores}), encoding="utf-8")
    (tmp_path / "robust.yml").write_text(
        f"- intent: provide_nir\n  examples: |\n    - {NIR}\n", encoding="utf-8"
    )
    assert nlu_scores.main([str(report), "--min-macro-f1", "0.9"]) == 0
    assert NIR not in (tmp_path / "robust.yml").read_text(encoding="utf-8")


def test_the_spellings_of_issue_20_are_masked_in_reports(tmp_path: Path) -> None:
    groups = [NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]]
    written = ["|".join(groups), "\u2063".join(groups), "\u034f".join(groups), "48|29|13", "⁴⁸²⁹¹³"]
    errors = [{"text": f"voici {spelling} merci"} for spelling in written]
    (tmp_path / "intent_errors.json").write_text(json.dumps(errors, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "robust.yml").write_text("".join(f"    - {x}\n" for x in written), encoding="utf-8")
    assert len(mask_secrets(tmp_path)) == 2
    texts = [
        item["text"] for item in json.loads((tmp_path / "intent_errors.json").read_text(encoding="utf-8"))
    ]
    assert texts == [f"voici {NIR_MASK} merci"] * 3 + [f"voici {CODE_MASK} merci"] * 2
    assert (tmp_path / "robust.yml").read_text(encoding="utf-8") == (
        f"    - {NIR_MASK}\n" * 3 + f"    - {CODE_MASK}\n" * 2
    )
