"""The near-copy measure (bot/training/similarity.py): what it calls the same phrase, and its n-grams."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from bot.training import similarity
from bot.training.similarity import (
    char_wb_ngrams,
    copy_key,
    nearest_training_examples,
    ngram_range,
    same_ngrams_key,
)
from tests.conftest import ROOT, load_yaml


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


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("jai perdu mon code", "j'ai perdu mon code"),
        ("J’ai zappé mon code", "jai zappe mon code"),
        ("ok daccord", "ok d'accord"),
    ],
)
def test_an_apostrophe_does_not_hide_a_copy(typed: str, written: str) -> None:
    """A phrase typed without its apostrophe is the same phrase: a copy, not a new phrasing."""
    assert copy_key(typed) == copy_key(written)
    assert same_ngrams_key(typed) == same_ngrams_key(written)
    ((score, _, _),) = nearest_training_examples([typed], [written])
    assert math.isclose(score, 1.0)


def test_an_apostrophe_typed_as_a_space_is_a_copy_too() -> None:
    assert copy_key("t es un bot") == copy_key("t'es un bot") == copy_key("tes un bot")


def test_different_words_stay_different() -> None:
    assert copy_key("mon code") != copy_key("mon compte")


def test_the_ngrams_are_those_of_the_classifier() -> None:
    """The lengths of the ``char_wb`` featurizer in config.yml, read from there (3 to 6 today)."""
    (featurizer,) = [c for c in load_yaml(ROOT / "config.yml")["pipeline"] if c.get("analyzer") == "char_wb"]
    low, high = featurizer["min_ngram"], featurizer["max_ngram"]
    assert ngram_range() == (low, high)
    grams = char_wb_ngrams("espace")
    assert " espace "[:high] in grams
    assert min(len(g) for g in grams) == low
    assert max(len(g) for g in grams) == high


def test_the_ngram_range_is_read_from_the_configuration(tmp_path: Path) -> None:
    config = tmp_path / "config.yml"
    config.write_text(
        "pipeline:\n  - name: CountVectorsFeaturizer\n  - name: CountVectorsFeaturizer\n"
        "    analyzer: char_wb\n    min_ngram: 2\n    max_ngram: 4\n",
        encoding="utf-8",
    )
    assert ngram_range(config) == (2, 4)
    words_only = tmp_path / "words_only.yml"
    words_only.write_text("pipeline:\n  - name: WhitespaceTokenizer\n", encoding="utf-8")
    with pytest.raises(ValueError, match="char_wb"):
        ngram_range(words_only)


def test_an_example_nearer_another_intents_examples_is_found() -> None:
    examples = [
        ("letter", "courrier postal"),
        ("letter", "lettre postale"),
        ("letter", "courrier papier"),
        ("mail", "email jamais recu"),
        ("mail", "email introuvable"),
        ("mail", "courrier postal papier"),
    ]
    found = similarity.closer_to_another_intent(examples)
    # The mislabelled example is the clearest case (it also pulls its letter neighbour a little).
    gaps = {(i, other): score - own for i, other, score, own in found}
    assert max(gaps, key=gaps.__getitem__) == (5, "letter")
    assert all(i != 3 and i != 4 for i, _ in gaps)
    assert similarity.closer_to_another_intent(examples, margin=1.0) == []
