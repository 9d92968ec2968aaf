"""Training data is rich enough, clean of secrets, and the held-out set really is held out."""

from __future__ import annotations

import re
from typing import Any

from stdnum.fr import nir

from bot.dialogue.intents import REGISTRY
from bot.training.similarity import copy_key
from tests.conftest import ROOT, load_yaml
from tests.test_domain import DESIGN_INTENTS

# The questions of the help document, as intents.yml marks them (help_document: true).
HELP_INTENTS = REGISTRY.help_document
MIN_EXAMPLES = 25


def test_the_design_help_questions_are_marked_in_the_registry() -> None:
    """The design's twelve help-document intents stay marked ``help_document: true``."""
    assert set(DESIGN_INTENTS[:12]) <= set(HELP_INTENTS)


def test_each_help_document_intent_has_enough_examples(nlu_examples: dict[str, list[str]]) -> None:
    for intent in HELP_INTENTS:
        count = len(nlu_examples.get(intent, []))
        assert count >= MIN_EXAMPLES, (
            f"{intent} : {count} exemples dans data/nlu/, il en faut au moins {MIN_EXAMPLES}"
        )


def test_every_domain_intent_has_training_examples(
    nlu_examples: dict[str, list[str]], domain: dict[str, Any]
) -> None:
    missing = [i for i in domain["intents"] if i != "nlu_fallback" and not nlu_examples.get(i)]
    assert missing == []


def test_no_example_is_given_to_two_intents(nlu_examples: dict[str, list[str]]) -> None:
    owner: dict[str, str] = {}
    for intent, examples in nlu_examples.items():
        for example in examples:
            key = copy_key(example)
            if intent in ("share_access_code", "provide_nir"):
                continue
            assert owner.setdefault(key, intent) == intent, f"{example!r}: {owner[key]} and {intent}"


def test_holdout_phrases_are_not_in_training(
    nlu_examples: dict[str, list[str]], holdout_examples: dict[str, list[str]]
) -> None:
    """Case, accents, apostrophes and spaces aside: « jai perdu mon code » is « j'ai perdu mon code »."""
    training = {copy_key(x) for examples in nlu_examples.values() for x in examples}
    leaked = [x for examples in holdout_examples.values() for x in examples if copy_key(x) in training]
    assert leaked == []


def test_holdout_covers_every_help_document_intent(holdout_examples: dict[str, list[str]]) -> None:
    assert set(HELP_INTENTS) <= set(holdout_examples)


def test_example_nirs_are_generated_valid_numbers() -> None:
    """Example NIRs are fake but valid by checksum (those without a key aside)."""
    text = (ROOT / "data" / "nlu" / "secrets.yml").read_text(encoding="utf-8")
    numbers = [re.sub(r"[\s.\-]", "", n) for n in re.findall(r"\[([^\]]+)\]\(nir\)", text)]
    assert len(numbers) >= 25
    for number in numbers:
        assert len(number) in (13, 15), number
        if len(number) == 15:
            assert nir.is_valid(number), number


def test_no_secret_looking_number_outside_the_secrets_file() -> None:
    for path in (ROOT / "data" / "nlu").glob("*.yml"):
        if path.name == "secrets.yml":
            continue
        data = load_yaml(path)
        for block in data.get("nlu", []):
            assert not re.search(r"\d{6,}", block.get("examples", "")), path.name
