"""The promotion gate: a phrase as the member sees it, the comparison, the tolerance, the kept evaluations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError
from bot.training.evaluation import (
    Evaluation,
    Evaluations,
    IntentTally,
    PhraseSet,
    SetResult,
    StoriesResult,
    score_phrases,
)
from bot.training.promotion import compare

LABELS = {"forgot_access_code": "J'ai perdu mon code d'accès", "how_to_login": "Comment me connecter ?"}


def evaluation(
    forgot: tuple[int, int], login: tuple[int, int], stories: tuple[int, int] = (10, 10), noisy: int = 0
) -> Evaluation:
    """Held-out phrases of two questions (correct, support), their noisy copy with ``noisy`` fewer right."""
    held_out = SetResult(
        "controle",
        "Phrases de contrôle",
        {
            "forgot_access_code": IntentTally(forgot[1], forgot[0]),
            "how_to_login": IntentTally(login[1], login[0]),
        },
    )
    robust = SetResult(
        "robustesse",
        "Phrases de contrôle mal tapées",
        {
            "forgot_access_code": IntentTally(forgot[1], forgot[0] - noisy),
            "how_to_login": IntentTally(login[1], login[0]),
        },
    )
    return Evaluation(
        "hash",
        "tests",
        "2026-12-08T10:00:00+00:00",
        [held_out, robust],
        StoriesResult(stories[1], stories[0]),
    )


def test_a_phrase_counts_as_the_member_sees_it_after_the_fallback() -> None:
    view = [
        {"expected": "how_to_login", "intent": "how_to_login"},
        {"expected": "how_to_login", "intent": "nlu_fallback"},  # « Vouliez-vous dire… »: not answered
        {"expected": "how_to_login", "intent": "forgot_access_code"},  # another question's answer
        {"expected": "out_of_scope", "intent": "nlu_fallback"},  # not understood is right out of scope
        {"expected": "out_of_scope", "intent": "out_of_scope"},
        {"expected": "out_of_scope", "intent": "how_to_login"},
    ]
    result = score_phrases("controle", "Phrases de contrôle", view)
    login, outside = result.intents["how_to_login"], result.intents["out_of_scope"]
    assert (login.support, login.correct, login.not_understood, login.wrong) == (3, 1, 1, 1)
    assert (outside.support, outside.correct, outside.wrong) == (3, 2, 1)
    assert (result.phrases, result.correct, result.errors) == (6, 3, 3)


def test_a_candidate_worse_beyond_the_tolerance_is_refused_and_said_per_question() -> None:
    active = evaluation(forgot=(95, 100), login=(100, 100))
    worse = evaluation(forgot=(90, 100), login=(100, 100))  # 5 errors more of 200: 2.5 points
    comparison = compare(active, worse, tolerance=1.0, labels=LABELS)
    assert comparison.refused and comparison.verdict == "moins bien"
    held_out = comparison.overall[0]
    assert (held_out.label, held_out.verdict, held_out.beyond_tolerance) == (
        "Phrases de contrôle",
        "moins bien",
        True,
    )
    assert "au-delà de la tolérance de 1 point" in comparison.sentence()
    assert "phrases de contrôle (195/200 (97,5 %) → 190/200 (95,0 %))" in comparison.sentence()
    # Per question, by its French label; the unchanged one is counted, not listed.
    [changed] = comparison.questions
    assert (changed.label, changed.before, changed.after, changed.verdict) == (
        "J'ai perdu mon code d'accès",
        "190/200",
        "180/200",
        "moins bien",
    )
    assert comparison.unchanged_questions == 1
    page = comparison.as_dict()
    assert page["refuse"] is True and page["ensemble"][0]["hors_tolerance"] is True
    assert "forgot_access_code" not in json.dumps(page["ensemble"])
    assert comparison.audit_figures()["phrases_de_controle"] == "195/200 (97,5 %) -> 190/200 (95,0 %)"


def test_within_the_tolerance_same_or_better_goes_into_service() -> None:
    active = evaluation(forgot=(95, 100), login=(100, 100))
    slightly = compare(active, evaluation(forgot=(94, 100), login=(100, 100)), 1.0, LABELS)  # 0.5 point
    assert not slightly.refused and slightly.verdict == "moins bien"
    assert "dans la tolérance" in slightly.sentence()
    same = compare(active, active, 1.0, LABELS)
    assert not same.refused and same.verdict == "pareil" and same.questions == []
    better = compare(active, evaluation(forgot=(99, 100), login=(100, 100)), 1.0, LABELS)
    assert not better.refused and better.verdict == "mieux"
    assert better.sentence() == "Le nouveau modèle fait mieux que le modèle en service."
    # A tolerance of 0: a single phrase more wrong is refused.
    assert compare(active, evaluation(forgot=(94, 100), login=(100, 100)), 0.0, LABELS).refused


def test_the_noisy_copies_and_the_stories_are_gates_too() -> None:
    active = evaluation(forgot=(95, 100), login=(100, 100))
    noisier = compare(active, evaluation(forgot=(95, 100), login=(100, 100), noisy=5), 1.0, LABELS)
    assert noisier.refused and [m.beyond_tolerance for m in noisier.overall] == [False, True, False]
    one_story = compare(active, evaluation(forgot=(95, 100), login=(100, 100), stories=(9, 10)), 1.0, LABELS)
    assert one_story.refused and one_story.overall[2].label == "Histoires de test"


def test_the_tolerance_setting_is_in_points_with_a_french_error() -> None:
    assert Settings.from_values({}).promotion_tolerance == 1.0
    assert Settings.from_values({"PROMOTION_TOLERANCE": "0,5"}).promotion_tolerance == 0.5
    for wrong in ("beaucoup", "-1", "150", ""):
        with pytest.raises(SettingsError, match="PROMOTION_TOLERANCE doit être un nombre de points"):
            Settings.from_values({"PROMOTION_TOLERANCE": wrong})


def _project(root: Path) -> None:
    (root / "tests" / "holdout").mkdir(parents=True)
    (root / "tests" / "stories").mkdir(parents=True)
    (root / "tests" / "holdout" / "a.yml").write_text(
        'version: "3.1"\nnlu:\n- intent: how_to_login\n  examples: |\n    - comment me connecter\n',
        encoding="utf-8",
    )
    (root / "tests" / "stories" / "test_a.yml").write_text('version: "3.1"\nstories: []\n', encoding="utf-8")


def test_an_evaluation_is_computed_once_per_model_and_again_when_the_tests_change(tmp_path: Path) -> None:
    _project(tmp_path)
    model = tmp_path / "sesame.tar.gz"
    model.write_bytes(b"un modele")
    runs: list[Path] = []

    def runner(model: Path, root: Path, sets: Sequence[PhraseSet], stories: Path, out: Path) -> None:
        runs.append(model)
        assert [s.name for s in sets] == ["controle", "robustesse"]
        assert (out / "robust.yml").is_file()  # the noisy copy, with the fixed seed
        for phrase_set in sets:
            (out / phrase_set.name).mkdir(parents=True)
            view = [{"text": "x", "expected": "how_to_login", "intent": "how_to_login", "confidence": 0.9}]
            (out / phrase_set.name / "member_view.json").write_text(json.dumps(view), encoding="utf-8")
        (out / "histoires").mkdir()
        (out / "histoires" / "story_report.json").write_text(
            json.dumps({"conversation_accuracy": {"correct": 1, "total": 1}}), encoding="utf-8"
        )

    evaluations = Evaluations(tmp_path, store=tmp_path / "evaluations", runner=runner)
    assert evaluations.stored(model) is None
    first = evaluations.evaluate(model)
    assert first.set_named("controle") is not None and first.stories == StoriesResult(1, 1, [])
    assert evaluations.evaluate(model) == first and evaluations.stored(model) == first
    assert len(runs) == 1
    (tmp_path / "tests" / "stories" / "test_b.yml").write_text(
        'version: "3.1"\nstories: []\n', encoding="utf-8"
    )
    assert evaluations.stored(model) is None  # measured on other tests: not comparable any more
    evaluations.evaluate(model)
    assert len(runs) == 2
