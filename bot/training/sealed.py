"""The sealed NLU test set (``tests/sealed/``): its fingerprint, and the copies Rasa reads.

The held-out phrases of ``tests/holdout/`` chose the n-gram range, the noisy variants
and many training examples: they are the *development* set now, and a score on them
says how well Sésame fits them. The sealed phrases were written once, independently,
in the registers members really use (long messages with the context before the
question, formal letters, SMS, dictation without punctuation), and are never used to
tune anything: the gates of ``make nlu-sealed`` read them, nobody trains from them.

Two guards keep them sealed:

- ``tests/sealed/SHA256SUMS`` records each file's SHA-256 (``python -m
  bot.training.sealed --write-sums``); ``tests/training/test_sealed.py`` fails when
  a file changed without the sums, so an edit cannot slip through review unseen;
- no training example may be a near-copy of a sealed phrase (the same test).

The files hold no number: a phrase that gives a social-security number or an access
code carries ``{nir}`` or ``{code}``, replaced here by generated numbers (valid by
checksum, never a real person's; ``bot.training.secret_examples``) when the copy
Rasa tests is written under ``reports/``, never committed.

Beside it, ``robust`` writes the sealed phrases typed badly on a phone (the noise of
``bot.training.noise`` with the robustness set's seed), for the per-intent minimum of
the robustness gate.
"""

from __future__ import annotations

import argparse
import hashlib
import random
from pathlib import Path

from bot.settings import PROJECT_ROOT
from bot.training import robust as robust_set
from bot.training.noise import noisy
from bot.training.robust import SEED as ROBUST_SEED
from bot.training.secret_examples import random_nir, spell
from bot.training.variants import examples as examples_by_intent

SEALED_DIR = PROJECT_ROOT / "tests" / "sealed"
SUMS_FILE = SEALED_DIR / "SHA256SUMS"
# Another seed than the training secrets' (2026): not the numbers the model saw.
NUMBERS_SEED = 4242
NIR_SLOT = "{nir}"
CODE_SLOT = "{code}"


def sealed_files(directory: Path = SEALED_DIR) -> list[Path]:
    return sorted(directory.glob("*.yml"))


def checksums(directory: Path = SEALED_DIR) -> str:
    """``sha256sum``'s format, one line per sealed file, by name."""
    return "".join(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n" for path in sealed_files(directory)
    )


def templates(directory: Path = SEALED_DIR) -> dict[str, list[str]]:
    """The sealed phrases by intent, as written (slots and entity annotations kept)."""
    return examples_by_intent(sealed_files(directory))


def fill(phrase: str, rng: random.Random) -> str:
    """The phrase with each ``{nir}`` / ``{code}`` replaced by a fresh generated number."""
    while NIR_SLOT in phrase:
        phrase = phrase.replace(NIR_SLOT, spell(random_nir(rng), rng), 1)
    while CODE_SLOT in phrase:
        phrase = phrase.replace(CODE_SLOT, f"{rng.randrange(10**6):06d}", 1)
    return phrase


def rendered(seed: int = NUMBERS_SEED, directory: Path = SEALED_DIR) -> dict[str, list[str]]:
    """The sealed phrases as Rasa tests them: numbers drawn from ``seed``, reproducibly."""
    rng = random.Random(seed)  # noqa: S311 - fictitious numbers, reproducible on purpose
    return {intent: [fill(x, rng) for x in phrases] for intent, phrases in templates(directory).items()}


def robust(phrases: dict[str, list[str]], seed: int = ROBUST_SEED) -> dict[str, list[str]]:
    """Each phrase typed badly (``bot.training.noise``), minus those the noise left as they were.

    A copy equal to a sealed phrase would be scored twice, once in each set: the two
    sets share one ``rasa test nlu`` run and are told apart by their text.
    """
    originals = {x for examples in phrases.values() for x in examples}
    copies: dict[str, list[str]] = {}
    for intent, examples in phrases.items():
        for phrase in examples:
            copy = noisy(phrase, seed)
            if copy is not None and copy not in originals and copy not in copies.get(intent, []):
                copies.setdefault(intent, []).append(copy)
    return copies


def to_yaml(examples: dict[str, list[str]], origin: str) -> str:
    return robust_set.to_yaml(
        examples, f"# Généré par bot/training/sealed.py depuis tests/sealed/ ({origin}) : ne pas modifier."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.sealed", description=__doc__)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "nlu_sealed" / "data")
    parser.add_argument(
        "--write-sums", action="store_true", help="record the files' SHA-256 (after a renewal)"
    )
    args = parser.parse_args(argv)
    if args.write_sums:
        SUMS_FILE.write_text(checksums(), encoding="utf-8")
        print(f"Empreintes enregistrées dans {SUMS_FILE.relative_to(PROJECT_ROOT)}")
        return 0
    phrases = rendered()
    copies = robust(phrases)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sealed.yml").write_text(to_yaml(phrases, "les phrases"), encoding="utf-8")
    (args.out / "sealed_robust.yml").write_text(to_yaml(copies, "copies bruitées"), encoding="utf-8")
    print(
        f"{sum(map(len, phrases.values()))} phrases scellées et {sum(map(len, copies.values()))} "
        f"copies bruitées dans {args.out}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
