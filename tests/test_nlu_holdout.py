"""The held-out phrases measure something: enough of them, and none a near-copy of training.

An exact copy is caught by ``test_nlu_data.py``; a copy with one word changed or one
typo added would still make the held-out F1 a measure of memory, not of understanding.
The similarity is the one the classifier itself sees (``bot.training.similarity``):
cosine of character n-grams inside word boundaries, of the lengths in ``config.yml``,
accents and apostrophes ignored (the measure's own tests: ``tests/training/test_similarity.py``).
"""

from __future__ import annotations

from bot.training import variants
from bot.training.robust import SEED as ROBUST_SEED
from bot.training.robust import robust_examples
from bot.training.similarity import MAX_SIMILARITY, nearest_training_examples, same_ngrams_key
from tests.conftest import ROOT

MIN_HOLDOUT_PHRASES = 400
MIN_PER_INTENT = 15


def test_no_holdout_phrase_is_a_near_copy_of_a_training_example(
    nlu_examples: dict[str, list[str]], holdout_examples: dict[str, list[str]]
) -> None:
    training = [x for examples in nlu_examples.values() for x in examples]
    phrases = [x for examples in holdout_examples.values() for x in examples]
    too_close = [
        f"{score:.2f} {phrase!r} ~ {example!r}"
        for score, phrase, example in nearest_training_examples(phrases, training)
        if score >= MAX_SIMILARITY
    ]
    assert too_close == [], (
        "Ces phrases de contrôle (tests/holdout/) sont presque des copies d'exemples "
        "d'entraînement (data/nlu/) : réécrivez-les autrement.\n" + "\n".join(too_close)
    )


def test_the_holdout_is_large_enough(holdout_examples: dict[str, list[str]]) -> None:
    total = sum(len(x) for x in holdout_examples.values())
    assert total >= MIN_HOLDOUT_PHRASES, f"{total} phrases de contrôle, il en faut {MIN_HOLDOUT_PHRASES}"


def test_every_intent_has_enough_holdout_phrases(
    holdout_examples: dict[str, list[str]], nlu_examples: dict[str, list[str]]
) -> None:
    """Every trained intent is measured, on enough phrases for its F1 to mean something.

    Fifteen phrases: one error moves an intent's F1 by about 0.03, below the 0.90 bar's margin.
    """
    short = {
        intent: len(holdout_examples.get(intent, []))
        for intent in nlu_examples
        if len(holdout_examples.get(intent, [])) < MIN_PER_INTENT
    }
    assert short == {}, (
        f"Intentions avec moins de {MIN_PER_INTENT} phrases de contrôle dans tests/holdout/ : {short}"
    )


def test_holdout_phrases_are_not_repeated(holdout_examples: dict[str, list[str]]) -> None:
    """Two phrases with the same n-grams (same words, another order) are one to the classifier."""
    seen: dict[str, str] = {}
    repeated = []
    for phrase in (x for examples in holdout_examples.values() for x in examples):
        key = same_ngrams_key(phrase)
        if key in seen:
            repeated.append(f"{seen[key]!r} = {phrase!r}")
        seen.setdefault(key, phrase)
    assert repeated == [], "Phrases de contrôle en double :\n" + "\n".join(repeated)


def test_the_noisy_training_variants_are_up_to_date() -> None:
    """data/nlu/variantes.yml is what bot.training.variants writes from data/nlu/ today."""
    expected = variants.to_yaml(variants.variants())
    written = variants.OUTPUT.read_text(encoding="utf-8")
    assert written == expected, (
        "data/nlu/variantes.yml n'est plus à jour avec les exemples de data/nlu/ : "
        "lancez « make nlu-variants » puis réentraînez (make model)."
    )


def test_no_noisy_holdout_phrase_is_a_near_copy_of_a_training_example(
    nlu_examples: dict[str, list[str]],
) -> None:
    """Nor their copies typed badly (make nlu-robust): the robustness score must not be memory either."""
    training = [x for examples in nlu_examples.values() for x in examples]
    noisy = robust_examples(ROOT / "tests" / "holdout", ROBUST_SEED)
    phrases = [x for examples in noisy.values() for x in examples]
    too_close = [
        f"{score:.2f} {phrase!r} ~ {example!r}"
        for score, phrase, example in nearest_training_examples(phrases, training)
        if score >= MAX_SIMILARITY
    ]
    assert too_close == [], (
        "Copies bruitées de phrases de contrôle presque identiques à l'entraînement :\n"
        + ("\n".join(too_close))
    )
