"""The held-out phrases measure something: enough of them, and none a near-copy of training.

An exact copy is caught by ``test_nlu_data.py``; a copy with one word changed or one
typo added would still make the held-out F1 a measure of memory, not of understanding.
The similarity is the one the classifier itself sees: cosine of character n-grams
inside word boundaries (like scikit-learn's ``char_wb``), here of length 3 to 5, after
lower-casing and removing accents and punctuation (a phrase that differs from a
training example only by its accents is that example).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

MIN_HOLDOUT_PHRASES = 400
MIN_PER_INTENT = 15
MAX_SIMILARITY = 0.9
NGRAM_RANGE = (3, 5)


def char_wb_ngrams(text: str) -> Counter[str]:
    """Counts of the character n-grams of each word padded with a space, as ``char_wb``."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    grams: Counter[str] = Counter()
    for word in re.findall(r"[a-z0-9]+", text):
        padded = f" {word} "
        for n in range(NGRAM_RANGE[0], NGRAM_RANGE[1] + 1):
            # A word shorter than n still gives one n-gram, itself padded, as in scikit-learn.
            grams.update(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    return grams


def nearest_training_examples(phrases: list[str], training: list[str]) -> list[tuple[float, str, str]]:
    """For each phrase, its highest cosine with a training example, and that example.

    An inverted index (n-gram → training examples that contain it) keeps this to the
    pairs that share at least one n-gram: about a second for a thousand by a thousand.
    """
    vectors = [char_wb_ngrams(x) for x in training]
    norms = [math.sqrt(sum(c * c for c in v.values())) or 1.0 for v in vectors]
    index: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for i, vector in enumerate(vectors):
        for gram, count in vector.items():
            index[gram].append((i, count))
    nearest: list[tuple[float, str, str]] = []
    for phrase in phrases:
        vector = char_wb_ngrams(phrase)
        norm = math.sqrt(sum(c * c for c in vector.values())) or 1.0
        dots: dict[int, int] = defaultdict(int)
        for gram, count in vector.items():
            for i, other in index.get(gram, ()):
                dots[i] += count * other
        best = max(dots, key=lambda i: dots[i] / norms[i], default=None)
        score = 0.0 if best is None else dots[best] / (norm * norms[best])
        nearest.append((score, phrase, "" if best is None else training[best]))
    return nearest


def test_the_similarity_sees_typos_and_accents_as_close() -> None:
    """The measure itself: identical → 1, accents ignored, unrelated → low."""
    ((same, _, _),) = nearest_training_examples(["Code oublié !"], ["code oublie"])
    ((other, _, _),) = nearest_training_examples(["quel temps fait il"], ["code oublie"])
    ((typo, _, _),) = nearest_training_examples(
        ["je n'arrive pas a me connecter a mon espace"], ["je narrive pas a me conecter a mon espace"]
    )
    assert math.isclose(same, 1.0)
    assert other < 0.2
    assert 0.7 < typo < 1.0


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
        key = " ".join(sorted(char_wb_ngrams(phrase)))
        if key in seen:
            repeated.append(f"{seen[key]!r} = {phrase!r}")
        seen.setdefault(key, phrase)
    assert repeated == [], "Phrases de contrôle en double :\n" + "\n".join(repeated)
