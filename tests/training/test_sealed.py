"""The sealed NLU test set (tests/sealed/) stays sealed, large enough, and free of numbers.

Sealed means: any edit shows in review (the recorded SHA-256 must change with it), no
training example is a near-copy of a sealed phrase (the gate would measure memory), and
no number that looks like a NIR or an access code is written in it.
"""

from __future__ import annotations

import re
from pathlib import Path

from stdnum.fr import nir

from bot.shared.patterns import secrets
from bot.training import sealed
from bot.training.similarity import MAX_SIMILARITY, nearest_training_examples, same_ngrams_key
from tests.conftest import ROOT, examples_by_intent

MIN_PHRASES = 400
MIN_PER_INTENT = 15
SECRET_INTENTS = {"provide_nir", "share_access_code"}


def sealed_examples() -> dict[str, list[str]]:
    return examples_by_intent(sealed.sealed_files())


def test_the_sealed_files_are_the_recorded_ones() -> None:
    assert sealed.SUMS_FILE.read_text(encoding="utf-8") == sealed.checksums(), (
        "tests/sealed/ a changé sans que son empreinte soit enregistrée. Le jeu scellé ne se "
        "modifie pas pour faire passer un test : voir README, « Le jeu scellé » (quand le renouveler)."
    )


def test_a_changed_phrase_changes_the_recorded_sums(tmp_path: Path) -> None:
    for path in sealed.sealed_files():
        (tmp_path / path.name).write_bytes(path.read_bytes())
    before = sealed.checksums(tmp_path)
    first = sealed.sealed_files(tmp_path)[0]
    first.write_text(first.read_text(encoding="utf-8").replace("- ", "- bonjour ", 1), encoding="utf-8")
    assert sealed.checksums(tmp_path) != before


def test_the_sealed_set_is_large_enough_for_every_intent(nlu_examples: dict[str, list[str]]) -> None:
    found = sealed_examples()
    assert sum(map(len, found.values())) >= MIN_PHRASES
    short = {i: len(found.get(i, [])) for i in nlu_examples if len(found.get(i, [])) < MIN_PER_INTENT}
    assert short == {}, f"Intentions avec moins de {MIN_PER_INTENT} phrases scellées : {short}"


def test_no_training_example_is_a_near_copy_of_a_sealed_phrase(nlu_examples: dict[str, list[str]]) -> None:
    phrases = [x for examples in sealed_examples().values() for x in examples]
    training = [x for examples in nlu_examples.values() for x in examples]
    too_close = [
        f"{score:.2f} {example!r} ~ {phrase!r}"
        for score, example, phrase in nearest_training_examples(training, phrases)
        if score >= MAX_SIMILARITY
    ]
    assert too_close == [], (
        "Ces exemples d'entraînement (data/nlu/) copient presque une phrase scellée "
        "(tests/sealed/) : retirez-les, le jeu scellé ne sert jamais à entraîner.\n" + "\n".join(too_close)
    )


def test_sealed_phrases_are_not_repeated() -> None:
    seen: dict[str, str] = {}
    repeated = []
    for phrase in (x for examples in sealed_examples().values() for x in examples):
        key = same_ngrams_key(phrase)
        if key in seen:
            repeated.append(f"{seen[key]!r} = {phrase!r}")
        seen.setdefault(key, phrase)
    assert repeated == []


def test_the_sealed_files_hold_no_number_only_slots() -> None:
    """A lone digit (« 6 chiffres », « 3 fois ») is a word; two close together may start a number."""
    for phrase in (x for examples in sealed.templates().values() for x in examples):
        assert not re.search(r"\d\D{0,3}\d", phrase), f"{phrase!r} : des chiffres, écrire {{nir}} ou {{code}}"
        assert not secrets(phrase), phrase
    slotted = {
        intent
        for intent, phrases in sealed.templates().items()
        if any(sealed.NIR_SLOT in x or sealed.CODE_SLOT in x for x in phrases)
    }
    assert slotted == SECRET_INTENTS


def test_the_slots_become_generated_numbers_the_same_each_run() -> None:
    first, second = sealed.rendered(), sealed.rendered()
    assert first == second
    nirs = [m for x in first["provide_nir"] for m in re.findall(r"\[([^\]]+)\]\(nir\)", x)]
    assert len(nirs) == len(first["provide_nir"])
    for number in nirs:
        digits = re.sub(r"[\s.\-]", "", number)
        assert len(digits) == 13 or nir.is_valid(digits), number
    codes = [re.search(r"\d{6}", x) for x in first["share_access_code"]]
    assert all(codes)
    assert not any("{" in x for examples in first.values() for x in examples)


def test_the_typed_badly_copies_are_not_the_phrases_themselves() -> None:
    phrases = sealed.rendered()
    copies = sealed.robust(phrases)
    originals = {x for examples in phrases.values() for x in examples}
    assert set(copies) == set(phrases)
    assert not originals & {x for examples in copies.values() for x in examples}
    assert sum(map(len, copies.values())) >= 0.9 * len(originals)


def test_the_development_set_is_not_the_sealed_one(holdout_examples: dict[str, list[str]]) -> None:
    phrases = [x for examples in sealed_examples().values() for x in examples]
    holdout = [x for examples in holdout_examples.values() for x in examples]
    too_close = [p for score, p, _ in nearest_training_examples(phrases, holdout) if score >= MAX_SIMILARITY]
    assert too_close == []
    assert (ROOT / "tests" / "sealed") == sealed.SEALED_DIR
