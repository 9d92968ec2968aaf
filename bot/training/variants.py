"""Write data/nlu/variantes.yml: the training examples typed badly, to learn from.

Members type on a phone: no accents, SMS spellings, slips of the finger. Character
n-grams absorb some of it, not all: a short message with one slip ("mecri") shares
few n-grams with any example. So every training example of ``data/nlu/`` gets up to
``VARIANTS`` noisy copies, drawn by ``bot.training.noise`` — the noise of the
robustness set (``bot.training.robust``) with another seed, applied to
the training examples, never to the held-out phrases.

Left out:
- ``secrets.yml`` (generated numbers, the SecretGuard's business) and every line
  with an entity annotation: a typo there could move or break the annotation;
- a copy that is, once lower-cased and without accents, apostrophes or punctuation, an example
  already there (in any intent) or another copy: it teaches nothing, or teaches
  two intents the same phrase;
- a copy that the secret gate (``bot.shared.patterns``) would mask, whatever its
  source: training data never hold a NIR or an access code, in any spelling (the
  noise drops punctuation, which turned "48|29|13" into "48 29 13");
- a copy that is a near-copy (``bot.training.similarity``) of a held-out phrase
  or of its noisy copy in the robustness set: the held-out and robustness scores
  would then measure memory. ``tests/holdout/`` is read for that and nothing else.

The output is committed, so that ``rasa train`` builds the same model from the
repository with or without make; ``tests/test_nlu_holdout.py`` fails when it is
older than the examples. After adding or changing examples: ``make nlu-variants``.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from ruamel.yaml import YAML

from bot.settings import PROJECT_ROOT
from bot.shared.patterns import holds_secret
from bot.training.noise import ANNOTATION, noisy
from bot.training.robust import SEED as ROBUST_SEED
from bot.training.robust import robust_examples
from bot.training.similarity import MAX_SIMILARITY, copy_key, nearest_training_examples

NLU = PROJECT_ROOT / "data" / "nlu"
HOLDOUT = PROJECT_ROOT / "tests" / "holdout"
OUTPUT = NLU / "variantes.yml"
NOT_VARIED = {"secrets.yml", OUTPUT.name}
SEED = 2027
VARIANTS = 1
HEADER = (
    "# Généré par bot/training/variants.py (make nlu-variants) — ne pas modifier à la main.\n"
    "# Les exemples de data/nlu/ tapés comme sur un téléphone (sans accents, style SMS,\n"
    "# fautes de frappe). Après avoir ajouté ou modifié des exemples : make nlu-variants\n"
)

if SEED == ROBUST_SEED:
    raise ValueError("the training variants must not be drawn like the robustness set")


def examples(paths: list[Path]) -> dict[str, list[str]]:
    """Every example of ``paths``, by intent, in file order."""
    found: dict[str, list[str]] = {}
    for path in paths:
        for block in YAML(typ="safe").load(path.read_text(encoding="utf-8")).get("nlu", []):
            if "intent" in block:
                lines = block["examples"].splitlines()
                found.setdefault(block["intent"], []).extend(
                    x[2:].strip() for x in lines if x.startswith("- ")
                )
    return found


def variants(nlu: Path = NLU, holdout: Path = HOLDOUT, seed: int = SEED) -> dict[str, list[str]]:
    """The noisy copies of the training examples, by intent (see the module's docstring)."""
    sources = sorted(p for p in nlu.glob("*.yml") if p.name not in NOT_VARIED)
    everything = sorted(p for p in nlu.glob("*.yml") if p.name != OUTPUT.name)
    taken = {copy_key(ANNOTATION.sub("", x)) for xs in examples(everything).values() for x in xs}
    drawn: list[tuple[str, str]] = []
    for intent, phrases in examples(sources).items():
        for phrase in phrases:
            if ANNOTATION.search(phrase):
                continue
            for k in range(VARIANTS):
                copy = noisy(phrase, f"{seed}:{k}")
                if copy and not holds_secret(copy) and copy_key(copy) not in taken:
                    taken.add(copy_key(copy))
                    drawn.append((intent, copy))
    held_out = [x for xs in examples(sorted(holdout.glob("*.yml"))).values() for x in xs]
    held_out += [x for xs in robust_examples(holdout, ROBUST_SEED).values() for x in xs]
    nearest = nearest_training_examples([copy for _, copy in drawn], held_out)
    found: dict[str, list[str]] = {}
    for (intent, copy), (score, _, _) in zip(drawn, nearest, strict=True):
        if score < MAX_SIMILARITY:
            found.setdefault(intent, []).append(copy)
    return found


def to_yaml(found: dict[str, list[str]]) -> str:
    """Rasa's NLU format; the copies (letters, digits, spaces) need no quoting."""
    lines = ['version: "3.1"', "nlu:"]
    for intent, phrases in found.items():
        lines += [f"- intent: {intent}", "  examples: |"] + [f"    - {p}" for p in phrases]
    return HEADER + "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.training.variants", description=__doc__)
    parser.add_argument("--out", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    found = variants()
    args.out.write_text(to_yaml(found), encoding="utf-8")
    print(f"{sum(len(x) for x in found.values())} variantes bruitées dans {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
