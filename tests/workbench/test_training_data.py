"""The NLU file surgery: examples added and removed, layout and comments kept, secrets refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.workbench import consistency
from bot.workbench.training_data import (
    TrainingDataError,
    add_examples,
    insert_examples,
    remove_examples,
    secret_refusal,
)

CONTENT = """# en-tête
version: "3.1"
nlu:
- intent: a
  examples: |
    - un
    - deux
# pour b
- intent: b
  examples: |
    - trois
"""


def test_insertion_keeps_the_file_and_joins_the_same_days_block() -> None:
    comment = "# Atelier : ajouté le 2026-12-01 par marie"
    once = insert_examples(CONTENT, "a", ["quatre"], comment)
    assert once.splitlines()[:7] == CONTENT.splitlines()[:7]
    assert f"    - deux\n{comment}\n- intent: a\n  examples: |\n    - quatre\n# pour b" in once
    twice = insert_examples(once, "a", ["cinq"], comment)
    assert "    - quatre\n    - cinq\n# pour b" in twice


@pytest.mark.parametrize(
    "text",
    [
        "[NIR masqué]",
        "le code [code masqué]",
        "482913",
        "48 29 13",
        "2 84 05 75 123 456",
        "tel [téléphone masqué]",
        # Issue 20: spellings « Nouvelle question » once accepted.
        "mon nir 2|91|09|75|006|373|88",
        "mon nir 2\u206391\u206309\u206375\u2063006\u2063373\u206388",
        "mon nir 2\u034f91\u034f09\u034f75\u034f006\u034f373\u034f88",
        "mon code 48|29|13",
        "code ⁴⁸²⁹¹³",
        "code 4 8 2    9 1 3",
        "dossier 12/34/56/78",
    ],
)
def test_secrets_are_refused(text: str) -> None:
    refusal = secret_refusal(text)
    assert refusal
    if "masqué" not in text:
        assert "données d'entraînement" in refusal


def test_plain_phrases_pass() -> None:
    assert secret_refusal("mon code a 6 chiffres ?") is None


def test_add_then_remove_round_trip(repo: Path) -> None:
    original = (repo / "data/nlu/blocage.yml").read_text(encoding="utf-8")
    added = add_examples(
        "too_many_attempts",
        ["le site me bloque apres mes erreurs de saisie"],
        reviewer="marie",
        root=repo,
        when=dt.date(2026, 12, 1),
    )
    assert added.path == repo / "data/nlu/blocage.yml"
    assert "# Atelier : ajouté le 2026-12-01 par marie" in added.path.read_text(encoding="utf-8")
    assert consistency.problems(repo) == []
    again = add_examples(
        "too_many_attempts", ["le site me bloque apres mes erreurs de saisie"], reviewer="marie", root=repo
    )
    assert again.path is None and again.already
    assert remove_examples("too_many_attempts", ["le site me bloque apres mes erreurs de saisie"], root=repo)
    assert added.path.read_text(encoding="utf-8") == original
    assert consistency.problems(repo) == []


def test_a_held_out_phrase_is_refused(repo: Path) -> None:
    with pytest.raises(TrainingDataError, match="phrase de contrôle"):
        add_examples(
            "how_to_login", ["on se connecte avec quoi sur votre espace"], reviewer="marie", root=repo
        )
