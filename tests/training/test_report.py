"""make report: Rasa's outputs read back, the confusions, the difference between two reports, the page."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from bot.training.rasa_results import Misclassified, confused_pairs, read_nlu, read_stories
from bot.training.report import Progress, Report, render_html
from bot.training.report_history import Diff, diff, rotate, summary

LABELS = {"forgot_access_code": "J'ai oublié mon code d'accès", "out_of_scope": "Hors sujet"}
# A 1×1 PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
)


def intent(precision: float, recall: float, f1: float, support: int) -> dict[str, Any]:
    return {"precision": precision, "recall": recall, "f1-score": f1, "support": support, "confused_with": {}}


def write_nlu(directory: Path, errors: list[dict[str, Any]] | None = None) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    report = {
        "forgot_access_code": intent(0.9, 0.8, 0.85, 10),
        "access_code_rules": intent(1.0, 0.9, 0.95, 10),
        "out_of_scope": intent(1.0, 0.75, 0.86, 4),
        "accuracy": 0.9,
        "macro avg": intent(0.97, 0.82, 0.887, 24),
        "weighted avg": intent(0.95, 0.85, 0.9, 24),
    }
    (directory / "intent_report.json").write_text(json.dumps(report), encoding="utf-8")
    errors = errors or [
        {
            "text": "code perdu",
            "intent": "forgot_access_code",
            "intent_prediction": {"name": "access_code_rules", "confidence": 0.7},
        },
        {
            "text": "plus de code",
            "intent": "forgot_access_code",
            "intent_prediction": {"name": "access_code_rules", "confidence": 0.6},
        },
        {
            "text": "la meteo",
            "intent": "out_of_scope",
            "intent_prediction": {"name": "forgot_access_code", "confidence": 0.3},
        },
    ]
    (directory / "intent_errors.json").write_text(json.dumps(errors), encoding="utf-8")
    (directory / "intent_confusion_matrix.png").write_bytes(PNG)
    return directory


def test_read_the_holdout_evaluation(tmp_path: Path) -> None:
    result = read_nlu(write_nlu(tmp_path / "controle"), LABELS, fallback_threshold=0.45)
    assert result is not None
    assert result.macro_f1 == 0.887
    assert [s.name for s in result.scores] == ["access_code_rules", "forgot_access_code", "out_of_scope"]
    weakest = result.weakest
    assert weakest is not None and (weakest.name, weakest.label) == (
        "forgot_access_code",
        "J'ai oublié mon code d'accès",
    )
    assert result.errors[0] == Misclassified("code perdu", "forgot_access_code", "access_code_rules", 0.7)
    # The off-topic phrase at 0.30 would have fallen back: handled, so 4 out of 4.
    assert result.out_of_scope_recall == 1.0
    assert result.matrix_png == PNG
    strict = read_nlu(tmp_path / "controle", LABELS, fallback_threshold=0.0)
    assert strict is not None and strict.out_of_scope_recall == 0.75


def test_no_evaluation_no_result(tmp_path: Path) -> None:
    assert read_nlu(tmp_path, LABELS) is None
    assert read_stories(tmp_path) is None


def test_read_the_story_tests(tmp_path: Path) -> None:
    (tmp_path / "story_report.json").write_text(
        json.dumps(
            {"conversation_accuracy": {"accuracy": 0.5, "correct": 1, "with_warnings": 0, "total": 2}}
        ),
        encoding="utf-8",
    )
    (tmp_path / "failed_test_stories.yml").write_text(
        'version: "3.1"\nstories:\n'
        "- story: Nouveau code : abandon (tests/stories/test_stories.yml)\n"
        "  steps:\n"
        "  - intent: forgot_access_code\n"
        "  - action: utter_ask_reset_wanted  # predicted: action_ask_reset_wanted\n"
        "  - user: |\n      stop\n    intent: deny  # predicted: goodbye: stop\n",
        encoding="utf-8",
    )
    result = read_stories(tmp_path)
    assert result is not None and (result.correct, result.total, result.rate) == (1, 2, 0.5)
    (failure,) = result.failures
    assert failure.name.startswith("Nouveau code : abandon")
    assert failure.mismatches == (
        "attendu « action: utter_ask_reset_wanted », obtenu « action_ask_reset_wanted »",
        "attendu « intent: deny », obtenu « goodbye: stop »",
    )


def test_the_most_confused_pairs_come_with_a_suggestion() -> None:
    errors = [
        Misclassified("a", "forgot_access_code", "access_code_rules", 0.7),
        Misclassified("b", "forgot_access_code", "access_code_rules", 0.7),
        Misclassified("c", "access_code_rules", "forgot_access_code", 0.7),
        Misclassified("d", "out_of_scope", "forgot_access_code", 0.9),
        Misclassified("e", "first_login", "out_of_scope", 0.9),
    ]
    pairs = confused_pairs(errors, LABELS)
    top = pairs[0]
    assert (top.expected, top.predicted, top.count) == ("forgot_access_code", "access_code_rules", 2)
    assert pairs[0].phrases == ("a", "b")
    assert "dans les deux sens" in pairs[0].suggestion
    by_pair = {(p.expected, p.predicted): p.suggestion for p in pairs}
    assert "hors sujet" in by_pair[("out_of_scope", "forgot_access_code")]
    assert "ne reconnaît pas" in by_pair[("first_login", "out_of_scope")]


def test_the_difference_between_two_reports(tmp_path: Path) -> None:
    first = read_nlu(write_nlu(tmp_path / "avant"), LABELS)
    assert first is not None
    before = summary("2025-01-01T10:00:00+00:00", first, None, None, None, {"controle": 20.0})
    after = json.loads(json.dumps(before))
    after["created"] = "2025-01-02T10:00:00+00:00"
    after["intents"]["forgot_access_code"]["f1"] = 0.95  # better
    after["intents"]["access_code_rules"]["f1"] = 0.90  # worse
    after["intents"]["out_of_scope"]["f1"] = 0.862  # noise
    after["intents"]["first_login"] = {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 3}
    after["headline"]["holdout_macro_f1"] = 0.9
    result = diff(before, after, LABELS)
    assert [(c.name, c.label, round(c.delta, 3)) for c in result.better] == [
        ("forgot_access_code", "J'ai oublié mon code d'accès", 0.1)
    ]
    assert [(c.name, round(c.delta, 3)) for c in result.worse] == [("access_code_rules", -0.05)]
    assert result.added == ["first_login"]
    assert result.headline["holdout_macro_f1"] == (0.887, 0.9)
    assert diff(None, after, LABELS).previous_created is None


def test_rotate_keeps_the_previous_summary(tmp_path: Path) -> None:
    assert rotate(tmp_path, {"created": "1"}) is None
    assert rotate(tmp_path, {"created": "2"}) == {"created": "1"}
    assert json.loads((tmp_path / "report-previous.json").read_text(encoding="utf-8")) == {"created": "1"}
    assert json.loads((tmp_path / "report-latest.json").read_text(encoding="utf-8")) == {"created": "2"}


def test_the_page_shows_phrases_as_text_never_as_markup(tmp_path: Path) -> None:
    evil = '<script>alert("x")</script> mon code'
    holdout = read_nlu(
        write_nlu(
            tmp_path / "controle",
            [
                {
                    "text": evil,
                    "intent": "forgot_access_code",
                    "intent_prediction": {"name": "access_code_rules", "confidence": 0.8},
                }
            ],
        ),
        LABELS,
    )
    stories = read_stories(tmp_path)
    report = Report("01/01/2025 à 11:00", holdout, None, None, stories, Diff(None), LABELS)
    page = render_html(report)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; mon code" in page
    assert "data:image/png;base64," in page
    assert "J&#39;ai oublié mon code d&#39;accès" in page
    assert "C'est le premier rapport" in page
    assert "<link" not in page and 'src="http' not in page  # nothing to fetch: opens with no server


def test_the_page_tells_what_got_better(tmp_path: Path) -> None:
    holdout = read_nlu(write_nlu(tmp_path / "controle"), LABELS)
    before = summary("avant", holdout, None, None, None, {})
    before["intents"]["forgot_access_code"]["f1"] = 0.5
    latest = summary("après", holdout, None, None, None, {})
    report = Report("maintenant", holdout, None, None, None, diff(before, latest, LABELS), LABELS)
    page = render_html(report)
    assert "Mieux comprises" in page and "0,500 → 0,850" in page and "+0,350" in page
    assert "comme la dernière fois" in page  # the headline figures did not move


def test_the_progress_line() -> None:
    progress = Progress(5, stream=io.StringIO(), width=10)
    assert progress.line(2, "Phrases de contrôle", 30, 60) == (
        "[2/5] Phrases de contrôle [#####-----] 30 s (≈ 1 min 00 s la dernière fois)"
    )
    assert progress.line(2, "X", 75, None, done=True) == "[2/5] X [##########] 1 min 15 s"
    ok, elapsed = progress.run(1, "Essai", lambda: True, None)
    assert ok and elapsed >= 0
    assert "[1/5] Essai" in progress.stream.getvalue()  # type: ignore[attr-defined]


def test_the_steps_run_rasa_on_the_held_out_phrases_and_their_noisy_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The commands of make report, in order: train, held-out, robustness, cross-validation, stories."""
    from bot.training import report

    commands: list[list[str]] = []

    def run(command: list[str], log: Path, root: Path, timeout: float | None = None) -> bool:
        commands.append(command)
        return True

    monkeypatch.setattr(report, "_command", run)
    (tmp_path / "config.yml").write_text("pipeline: []\n", encoding="utf-8")
    assert report.main(["--racine", str(tmp_path)]) == 0
    raw = tmp_path / "reports" / "rapport"
    held_out, phrases, robustness = commands[1:4]
    assert held_out[1:] == [
        *("test", "nlu", "--model", "models/sesame.tar.gz", "--domain", "domain"),
        *("--nlu", "tests/holdout", "--out", str(raw / "controle")),
    ]
    assert phrases[1:] == [
        *("-m", "bot.training.robust", "--holdout", "tests/holdout"),
        *("--out", str(raw / "robustesse" / "robust.yml")),
    ]
    assert robustness[1:] == [
        *("test", "nlu", "--model", "models/sesame.tar.gz", "--domain", "domain"),
        *("--nlu", str(raw / "robustesse" / "robust.yml"), "--out", str(raw / "robustesse")),
    ]
    assert [c[1:3] for c in (commands[0], commands[4], commands[5])] == [
        ["--no-print-directory", "models/sesame.tar.gz"],
        ["test", "nlu"],
        ["test", "core"],
    ]


def test_the_first_report_is_compared_with_the_kept_evaluation_of_the_model_in_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No report before: the previous one is the baseline, the shipped model's kept evaluation."""
    from bot.training import report
    from bot.training.evaluation import Evaluations, PhraseSet

    for folder in ("tests/holdout", "tests/stories", "models"):
        (tmp_path / folder).mkdir(parents=True)
    (tmp_path / "config.yml").write_text("pipeline: []\n", encoding="utf-8")
    (tmp_path / "models" / "sesame.tar.gz").write_bytes(b"le modele livre")

    def runner(model: Path, root: Path, sets: Sequence[PhraseSet], stories: Path, out: Path) -> None:
        write_nlu(out / "controle")

    Evaluations(tmp_path, store=tmp_path / "models" / "evaluations", runner=runner).evaluate(
        tmp_path / "models" / "sesame.tar.gz"
    )

    def run(command: list[str], log: Path, root: Path, timeout: float | None = None) -> bool:
        if "--out" in command and command[command.index("--out") + 1].endswith("controle"):
            write_nlu(Path(command[command.index("--out") + 1]))
        return True

    monkeypatch.setattr(report, "_command", run)
    assert report.main(["--racine", str(tmp_path)]) == 0
    page = (tmp_path / "reports" / "index.html").read_text(encoding="utf-8")
    assert "C'est le premier rapport" not in page
    assert "comparé au modèle en service avant ce rapport" in page
