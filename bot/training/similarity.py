"""How close two phrases are, as the classifier sees them.

Cosine of character n-grams inside word boundaries (like scikit-learn's ``char_wb``),
of length 3 to 5, after lower-casing and removing accents and punctuation (a phrase
that differs from another only by its accents is that phrase). A held-out phrase at
``MAX_SIMILARITY`` or more from a training example is a near-copy: the held-out F1
would measure memory, not understanding (``tests/test_nlu_holdout.py``), and the
training variants of ``bot.training.variants`` never become one.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict

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
