"""Write a noisier copy of the held-out phrases, as members type them on a phone.

Each phrase of ``tests/holdout/*.yml`` becomes: all lower case, no accents, no
punctuation, some SMS spellings and one or two slips of the finger on a French
AZERTY keyboard (``bot.training.noise``: the noise of the training variants of
``bot.training.variants``, drawn with another seed). The held-out F1 says
whether the bot understands phrasings it never saw; this set says whether it still
does when they are typed badly — the everyday case, which the held-out phrases only
sample.

Reproducible: each phrase's noise comes from a generator seeded by ``--seed`` and
the phrase itself, so adding a held-out file changes no other phrase's copy.
Entity annotations and digits are left as they are. The output is written at test
time (``make nlu-robust``), not committed.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT
from bot.training.noise import noisy

# The robustness set's seed (``--seed``); the training variants must use another.
SEED = 10


def robust_examples(holdout: Path, seed: int) -> dict[str, list[str]]:
    """Every held-out phrase, by intent, in its noisy copy (duplicates dropped)."""
    found: dict[str, list[str]] = {}
    for path in sorted(holdout.glob("*.yml")):
        for block in YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" not in block:
                continue
            examples = found.setdefault(block["intent"], [])
            for line in block["examples"].splitlines():
                if line.startswith("- "):
                    copy = noisy(line[2:].strip(), seed)
                    if copy is not None and copy not in examples:
                        examples.append(copy)
    return found


HEADER = "# Généré par bot/training/robust.py (make nlu-robust) depuis tests/holdout/ : ne pas modifier."


def to_yaml(examples: dict[str, list[str]], header: str = HEADER) -> str:
    """Rasa's NLU format; the phrases need no quoting in a literal block."""
    lines = [
        header,
        'version: "3.1"',
        "nlu:",
    ]
    for intent, phrases in examples.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {p}" for p in phrases]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.robust", description=__doc__)
    parser.add_argument("--holdout", type=Path, default=PROJECT_ROOT / "tests" / "holdout")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports" / "nlu_robust" / "robust.yml")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    examples = robust_examples(args.holdout, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(to_yaml(examples), encoding="utf-8")
    print(f"{sum(len(x) for x in examples.values())} phrases bruitées dans {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
