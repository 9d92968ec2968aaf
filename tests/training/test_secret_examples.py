"""data/nlu/secrets.yml is generated (bot/training/secret_examples.py): never edited by hand."""

from __future__ import annotations

from stdnum.fr import nir

from bot.training.secret_examples import OUTPUT, random_nir, secrets_yaml


def test_the_secret_examples_are_what_the_generator_writes() -> None:
    """A hand edit could slip a real number in: the file is exactly the generator's output."""
    assert OUTPUT.read_text(encoding="utf-8") == secrets_yaml(), (
        "data/nlu/secrets.yml n'est pas celui que génère bot/training/secret_examples.py : "
        "relancez « python -m bot.training.secret_examples » au lieu de le modifier à la main."
    )


def test_the_same_seed_gives_the_same_file_and_another_seed_other_numbers() -> None:
    assert secrets_yaml(1) == secrets_yaml(1)
    assert secrets_yaml(1) != secrets_yaml(2)


def test_generated_nirs_are_valid_by_checksum() -> None:
    import random

    rng = random.Random(7)  # noqa: S311 - test data
    assert all(nir.is_valid(random_nir(rng)) for _ in range(200))
