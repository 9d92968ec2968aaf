"""How close two phrases are, as the classifier sees them, and when two phrases are one.

Cosine of character n-grams inside word boundaries (like scikit-learn's ``char_wb``), of
the lengths the classifier uses (``min_ngram`` to ``max_ngram`` of the ``char_wb``
featurizer in ``config.yml``, read from there), after lower-casing and removing accents,
apostrophes and punctuation. A held-out phrase at ``MAX_SIMILARITY`` or more from a
training example is a near-copy: the held-out F1 would measure memory, not understanding
(``tests/test_nlu_holdout.py``), and the training variants of ``bot.training.variants``
never become one.

An apostrophe is dropped, not turned into a space: members type « jai » as often as
« j'ai », so « jai perdu mon code » is « j'ai perdu mon code » typed on a phone, a copy,
not a new phrasing. (Rasa's tokenizer splits « j'ai » into « j » and « ai »; joined
here, the two spellings are one word and a copy cannot hide behind the apostrophe.)
``copy_key`` goes further for exact copies: spaces aside too, so « j ai » is one of them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT

MAX_SIMILARITY = 0.9
CONFIG = PROJECT_ROOT / "config.yml"
_APOSTROPHES = re.compile(r"['’`´ʼ]")


def plain(text: str) -> str:
    """Lower case, no accents, no punctuation (an apostrophe becomes a space): the words."""
    text = unicodedata.normalize("NFKD", text.lower())
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return re.sub(r"[^a-z0-9]+", " ", text).strip()


def copy_key(text: str) -> str:
    """Two phrases with one key are one example: case, accents, punctuation and spaces aside.

    « j'ai », « jai » and « j ai » are one word typed three ways; so are « d'accord »
    and « daccord ». Only compared, never shown.
    """
    return "".join(plain(text).split())


def _joined(text: str) -> str:
    """``plain`` with the apostrophes dropped, not turned into spaces: « j'ai » is « jai »."""
    return plain(_APOSTROPHES.sub("", text))


@cache
def ngram_range(config: Path = CONFIG) -> tuple[int, int]:
    """``(min_ngram, max_ngram)`` of the ``char_wb`` CountVectorsFeaturizer in ``config.yml``."""
    pipeline = YAML(typ="safe").load(config.read_text(encoding="utf-8")).get("pipeline") or []
    for component in pipeline:
        if component.get("name") == "CountVectorsFeaturizer" and component.get("analyzer") == "char_wb":
            return int(component.get("min_ngram", 1)), int(component.get("max_ngram", 1))
    raise ValueError(f"{config} : pas de CountVectorsFeaturizer « analyzer: char_wb » dans le pipeline")


def char_wb_ngrams(text: str) -> Counter[str]:
    """Counts of the character n-grams of each word padded with a space, as ``char_wb``."""
    low, high = ngram_range()
    grams: Counter[str] = Counter()
    for word in _joined(text).split():
        padded = f" {word} "
        for n in range(low, high + 1):
            # A word shorter than n still gives one n-gram, itself padded, as in scikit-learn.
            grams.update(padded[i : i + n] for i in range(max(1, len(padded) - n + 1)))
    return grams


def same_ngrams_key(text: str) -> str:
    """Equal for two phrases with the same n-grams (same words in another order): one to the classifier."""
    return " ".join(sorted(char_wb_ngrams(text)))


def _norm(vector: Counter[str]) -> float:
    return math.sqrt(sum(c * c for c in vector.values())) or 1.0


class NgramIndex:
    """Texts' n-gram vectors with an inverted index (n-gram → texts that contain it).

    Only the texts that share at least one n-gram with a phrase are scored: about a
    second for a thousand phrases against a thousand texts.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.vectors = [char_wb_ngrams(x) for x in self.texts]
        self.norms = [_norm(v) for v in self.vectors]
        self._index: dict[str, list[tuple[int, int]]] = defaultdict(list)
        for i, vector in enumerate(self.vectors):
            for gram, count in vector.items():
                self._index[gram].append((i, count))

    def cosines(self, vector: Counter[str]) -> dict[int, float]:
        """Cosine of ``vector`` with each indexed text that shares an n-gram, by position."""
        dots: dict[int, int] = defaultdict(int)
        for gram, count in vector.items():
            for i, other in self._index.get(gram, ()):
                dots[i] += count * other
        norm = _norm(vector)
        return {i: dot / (norm * self.norms[i]) for i, dot in dots.items()}


def nearest_training_examples(phrases: list[str], training: list[str]) -> list[tuple[float, str, str]]:
    """For each phrase, its highest cosine with a training example, and that example."""
    index = NgramIndex(training)
    nearest: list[tuple[float, str, str]] = []
    for phrase in phrases:
        scores = index.cosines(char_wb_ngrams(phrase))
        best = max(scores, key=scores.__getitem__, default=None)
        nearest.append((0.0, phrase, "") if best is None else (scores[best], phrase, training[best]))
    return nearest


def closer_to_another_intent(
    examples: Sequence[tuple[str, str]], neighbours: int = 3, margin: float = 0.0
) -> list[tuple[int, str, float, float]]:
    """Examples (intent, text) that look more like another intent's examples than their own.

    For each example and each intent, the mean cosine with that intent's ``neighbours``
    closest examples (the example itself left out): the classifier, which learns from
    the same n-grams, pulls such an example toward the other intent. It is either filed
    under the wrong intent, or it says the other intent's words more than its own — a
    member typing it may get the other answer. Returns (position, other intent, its
    score, the example's own intent's score) when the other beats its own by ``margin``.
    """
    index = NgramIndex([text for _, text in examples])
    intents = [intent for intent, _ in examples]
    sizes = Counter(intents)
    found = []
    for i, vector in enumerate(index.vectors):
        by_intent: dict[str, list[float]] = defaultdict(list)
        for j, score in index.cosines(vector).items():
            if j != i:
                by_intent[intents[j]].append(score)
        # As many neighbours on each side: the example's own intent has one example fewer.
        k = min(neighbours, sizes[intents[i]] - 1)
        if k < 1:
            continue
        closeness = {name: sum(sorted(scores, reverse=True)[:k]) / k for name, scores in by_intent.items()}
        own = closeness.get(intents[i], 0.0)
        others = [(score, name) for name, score in closeness.items() if name != intents[i]]
        if others:
            best, other = max(others)
            if best > own + margin:
                found.append((i, other, best, own))
    return found
