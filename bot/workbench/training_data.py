"""The training examples of ``data/nlu/``: read, checked, added and removed without breaking a file.

Writes are careful text insertions, not a YAML re-dump: the trainers' comments and
the files' layout stay as they are. Each change is checked by loading the file
again (the old text is put back if it does not read as expected), then
``data/nlu/variantes.yml`` is generated again (``bot.training.variants``,
what ``make nlu-variants`` does): ``make test`` fails when it is out of date.

What is refused, with the reason in French (``TrainingDataError``), so that no
check of the repository fails afterwards and nothing secret is ever written:

- anything the secret gate masks (``bot.shared.patterns``: a NIR or an access code in
  any digit form, with anything between the digits: "48|29|13", "2⁣91⁣09…"), any
  number of six digits or more however its digits are joined, or a masked secret
  (« [NIR masqué] », « [code masqué] »): a masked example teaches nothing;
- an example that another intent already has (``tests/test_nlu_data.py``);
- a phrase of the held-out set, or a near copy of one or of its noisy copy
  (``tests/test_nlu_holdout.py``): the report would then measure memory.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.settings import PROJECT_ROOT
from bot.shared.patterns import CODE_DIGITS, CODE_MASK, NIR_MASK, holds_secret, longest_number
from bot.shared.redaction import PHONE_MASK
from bot.training import variants
from bot.training.robust import SEED as ROBUST_SEED
from bot.training.robust import robust_examples
from bot.training.similarity import MAX_SIMILARITY, copy_key, nearest_training_examples

NLU_DIR = Path("data") / "nlu"
HOLDOUT_DIR = Path("tests") / "holdout"
VARIANTS_FILE = "variantes.yml"
SECRETS_FILE = "secrets.yml"
NOT_TRAINERS_FILES = frozenset({VARIANTS_FILE, SECRETS_FILE})
# Intents whose examples are generated numbers (data/nlu/secrets.yml): never from the workbench.
SECRET_INTENTS = frozenset({"provide_nir", "share_access_code"})
NOT_AN_EXAMPLE = frozenset({"nlu_fallback"})
MAX_EXAMPLE_LENGTH = 300
ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")
_MASKS = (NIR_MASK, CODE_MASK, PHONE_MASK, "masqué]")
_LOGIN = re.compile(r"[^\w.@-]+")


class TrainingDataError(ValueError):
    """A change refused or impossible; the message, in French, says why."""


def secret_refusal(text: str) -> str | None:
    """Why ``text`` may not be written into the training data, or None."""
    if any(mask in text for mask in _MASKS):
        return (
            "Ce message contenait un numéro, masqué à l'enregistrement : un exemple masqué "
            "n'apprend rien au bot. Écartez-le, ou tapez une phrase semblable sans numéro."
        )
    if holds_secret(text) or longest_number(text) >= CODE_DIGITS:
        return (
            "Ce message contient un numéro qui ressemble à un numéro de Sécurité sociale ou à un "
            "code d'accès (quels que soient les chiffres, les espaces ou les signes entre eux) : "
            "il ne doit jamais être écrit dans les données d'entraînement."
        )
    return None


def clean_example(text: str) -> str:
    """The example on one line, spaces collapsed; raises ``TrainingDataError`` when it cannot be one."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise TrainingDataError("La phrase est vide.")
    if len(cleaned) > MAX_EXAMPLE_LENGTH:
        raise TrainingDataError(
            f"La phrase fait {len(cleaned)} caractères : {MAX_EXAMPLE_LENGTH} au plus pour un exemple."
        )
    refusal = secret_refusal(cleaned)
    if refusal:
        raise TrainingDataError(refusal)
    if "[" in cleaned or "]" in cleaned:
        raise TrainingDataError(
            "Enlevez les crochets [ ] de la phrase : ils ont un sens spécial pour le bot."
        )
    return cleaned


def reviewer_name(login: str) -> str:
    """A login as it may appear in a YAML comment: one line, no odd characters."""
    return _LOGIN.sub("-", login.strip())[:64] or "inconnu"


def added_comment(reviewer: str, when: dt.date, what: str = "ajouté") -> str:
    return f"# Atelier : {what} le {when.isoformat()} par {reviewer_name(reviewer)}"


def load(path: Path) -> Any:
    try:
        return YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
    except YAMLError as error:
        raise TrainingDataError(f"{path.name} n'est pas lisible : {error}") from error


def examples_in(path: Path) -> dict[str, list[str]]:
    """The examples of one NLU file by intent, entity annotations stripped."""
    found: dict[str, list[str]] = {}
    for block in load(path).get("nlu", []) or []:
        if isinstance(block, dict) and "intent" in block:
            lines = str(block.get("examples") or "").splitlines()
            found.setdefault(str(block["intent"]), []).extend(
                ANNOTATION.sub(r"\1", x[2:].strip()) for x in lines if x.startswith("- ")
            )
    return found


def nlu_paths(root: Path = PROJECT_ROOT, *, with_secrets: bool = True) -> list[Path]:
    """The NLU files trainers' examples live in (never the generated ``variantes.yml``)."""
    skip = {VARIANTS_FILE} if with_secrets else set(NOT_TRAINERS_FILES)
    return sorted(p for p in (root / NLU_DIR).glob("*.yml") if p.name not in skip)


def examples_by_intent(paths: Iterable[Path]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in paths:
        for intent, examples in examples_in(path).items():
            found.setdefault(intent, []).extend(examples)
    return found


def training_examples(root: Path = PROJECT_ROOT) -> dict[str, list[str]]:
    """Every intent's examples, as the repository's tests read them."""
    return examples_by_intent(nlu_paths(root))


def holdout_examples(root: Path = PROJECT_ROOT) -> dict[str, list[str]]:
    return examples_by_intent(sorted((root / HOLDOUT_DIR).glob("*.yml")))


def home_file(root: Path, intent: str) -> Path | None:
    """The trainers' file holding most of the intent's examples (the topic's file)."""
    counts = {path: len(examples_in(path).get(intent, [])) for path in nlu_paths(root, with_secrets=False)}
    best = max(counts.items(), key=lambda kv: kv[1], default=(None, 0))
    return best[0] if best[1] else None


def owners(root: Path = PROJECT_ROOT) -> dict[str, str]:
    """Normalised example → the intent that has it (the secrets' intents left aside, as the tests do)."""
    found: dict[str, str] = {}
    for intent, examples in training_examples(root).items():
        if intent in SECRET_INTENTS:
            continue
        for example in examples:
            found.setdefault(copy_key(example), intent)
    return found


def holdout_refusals(root: Path, texts: Sequence[str]) -> list[str]:
    """French reasons for the texts that are held-out phrases or near copies of one."""
    if not texts:
        return []
    held = [x for xs in holdout_examples(root).values() for x in xs]
    noisy = [x for xs in robust_examples(root / HOLDOUT_DIR, ROBUST_SEED).values() for x in xs]
    refused = []
    keys = {copy_key(x) for x in held}
    for text in texts:
        if copy_key(text) in keys:
            refused.append(
                f"« {text} » est une phrase de contrôle (tests/holdout/) : elle ne doit pas servir d'exemple."
            )
    if held and not refused:
        for score, phrase, example in nearest_training_examples(held + noisy, list(texts)):
            if score >= MAX_SIMILARITY:
                refused.append(
                    f"« {example} » est presque une phrase de contrôle (« {phrase} ») : "
                    "reformulez-la davantage, sinon le rapport mesurerait de la mémoire."
                )
    return sorted(set(refused))


def check_new_examples(root: Path, intent: str, texts: Iterable[str]) -> tuple[list[str], list[str]]:
    """(to add, already there): cleaned, secrets and duplicates of other intents refused."""
    if intent in SECRET_INTENTS or intent in NOT_AN_EXAMPLE:
        raise TrainingDataError(f"On n'ajoute pas d'exemple à « {intent} » depuis l'atelier.")
    taken = owners(root)
    new: list[str] = []
    already: list[str] = []
    seen: set[str] = set()
    for text in texts:
        cleaned = clean_example(text)
        key = copy_key(cleaned)
        if not key:
            raise TrainingDataError(f"« {cleaned} » n'a ni lettre ni chiffre : ce n'est pas un exemple.")
        owner = taken.get(key)
        if owner is not None and owner != intent:
            from bot.workbench.inbox import intent_label

            raise TrainingDataError(
                f"« {cleaned} » est déjà un exemple de « {intent_label(owner)} » ({owner}) : "
                "une même phrase ne peut pas apprendre deux intentions."
            )
        if owner == intent or key in seen:
            already.append(cleaned)
            continue
        seen.add(key)
        new.append(cleaned)
    refusals = holdout_refusals(root, new)
    if refusals:
        raise TrainingDataError(" ".join(refusals))
    return new, already


# --- text surgery ------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """An ``- intent:`` block of an NLU file: its header line and the line after its last one."""

    intent: str
    start: int
    end: int


_BLOCK = re.compile(r"^- intent:\s*(\S+)\s*$")


def blocks(lines: Sequence[str]) -> list[Block]:
    found = []
    for index, line in enumerate(lines):
        match = _BLOCK.match(line.rstrip("\n"))
        if not match:
            continue
        end = index + 1
        for j in range(index + 1, len(lines)):
            if lines[j].strip() == "":
                continue
            if lines[j].startswith(" "):
                end = j + 1
                continue
            break
        found.append(Block(match.group(1), index, end))
    return found


def _example_line(text: str) -> str:
    return f"    - {text}\n"


def insert_examples(content: str, intent: str, texts: Sequence[str], comment: str) -> str:
    """``content`` with ``texts`` added for ``intent``: after the intent's last block, under ``comment``.

    When that block is already one of ours with the same comment (same day, same
    reviewer), the examples join it rather than open a new block.
    """
    lines = content.splitlines(keepends=True)
    if lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    mine = [b for b in blocks(lines) if b.intent == intent]
    new = [_example_line(t) for t in texts]
    if mine:
        last = mine[-1]
        if last.start > 0 and lines[last.start - 1].rstrip("\n") == comment:
            lines[last.end : last.end] = new
            return "".join(lines)
        at = last.end
    else:
        at = len(lines)
    lines[at:at] = [f"{comment}\n", f"- intent: {intent}\n", "  examples: |\n", *new]
    return "".join(lines)


def remove_example_lines(content: str, intent: str, keys: set[str]) -> tuple[str, list[str]]:
    """``content`` without the examples of ``intent`` whose normalised text is in ``keys``.

    A block left with no example goes too, with the workbench's comment just above it.
    """
    lines = content.splitlines(keepends=True)
    removed: list[str] = []
    for block in reversed([b for b in blocks(lines) if b.intent == intent]):
        body = lines[block.start + 1 : block.end]
        kept = []
        for line in body:
            stripped = line.strip()
            if stripped.startswith("- ") and copy_key(ANNOTATION.sub(r"\1", stripped[2:])) in keys:
                removed.append(stripped[2:])
                continue
            kept.append(line)
        if any(line.strip().startswith("- ") for line in kept):
            lines[block.start + 1 : block.end] = kept
        else:
            start = block.start
            if start > 0 and lines[start - 1].startswith("# Atelier :"):
                start -= 1
            del lines[start : block.end]
    return "".join(lines), removed


def write_checked(path: Path, content: str, check: Any) -> None:
    """Write ``content``, load it again, run ``check(its examples)``; the old text back on failure."""
    old = path.read_text(encoding="utf-8") if path.exists() else None
    path.write_text(content, encoding="utf-8")
    try:
        check(examples_in(path))
    except Exception:
        if old is None:
            path.unlink()
        else:
            path.write_text(old, encoding="utf-8")
        raise


def refresh_variants(root: Path = PROJECT_ROOT) -> int:
    """Generate ``data/nlu/variantes.yml`` again, as ``make nlu-variants`` does; the number of copies."""
    found = variants.variants(root / NLU_DIR, root / HOLDOUT_DIR)
    (root / NLU_DIR / VARIANTS_FILE).write_text(variants.to_yaml(found), encoding="utf-8")
    return sum(len(x) for x in found.values())


@dataclass(frozen=True)
class ExamplesAdded:
    path: Path | None  # None when every example was already there
    added: tuple[str, ...]
    already: tuple[str, ...]


def add_examples(
    intent: str,
    texts: Iterable[str],
    *,
    reviewer: str,
    root: Path = PROJECT_ROOT,
    path: Path | None = None,
    when: dt.date | None = None,
    refresh: bool = True,
) -> ExamplesAdded:
    """Add examples to ``intent`` in its topic's file (or ``path``), under a dated comment.

    Examples the intent already has are skipped; anything refused raises
    ``TrainingDataError`` before a byte is written.
    """
    new, already = check_new_examples(root, intent, texts)
    if not new:
        return ExamplesAdded(None, (), tuple(already))
    target = path or home_file(root, intent)
    if target is None:
        raise TrainingDataError(
            f"« {intent} » n'a d'exemples dans aucun fichier de data/nlu/ : choisissez le fichier."
        )
    when = when or dt.date.today()
    before = examples_in(target)
    content = insert_examples(target.read_text(encoding="utf-8"), intent, new, added_comment(reviewer, when))

    def check(after: dict[str, list[str]]) -> None:
        expected = before.get(intent, []) + new
        if sorted(after.get(intent, [])) != sorted(expected) or {
            k: v for k, v in after.items() if k != intent
        } != {k: v for k, v in before.items() if k != intent}:
            raise TrainingDataError(f"L'écriture dans {target.name} n'a pas donné le fichier attendu.")

    write_checked(target, content, check)
    if refresh:
        refresh_variants(root)
    return ExamplesAdded(target, tuple(new), tuple(already))


def remove_examples(
    intent: str, texts: Iterable[str], *, root: Path = PROJECT_ROOT, refresh: bool = True
) -> list[str]:
    """Remove examples of ``intent`` from the trainers' files; the examples removed."""
    keys = {copy_key(t) for t in texts if copy_key(t)}
    removed: list[str] = []
    for path in nlu_paths(root, with_secrets=False):
        content = path.read_text(encoding="utf-8")
        if not any(b.intent == intent for b in blocks(content.splitlines())):
            continue
        new_content, gone = remove_example_lines(content, intent, keys)
        if not gone:
            continue
        before = examples_in(path)

        def check(
            after: dict[str, list[str]], before: dict[str, list[str]] = before, name: str = path.name
        ) -> None:
            kept = [x for x in before.get(intent, []) if copy_key(x) not in keys]
            if after.get(intent, []) != kept:
                raise TrainingDataError(f"La suppression dans {name} n'a pas donné le fichier attendu.")

        write_checked(path, new_content, check)
        removed.extend(gone)
    if removed and refresh:
        refresh_variants(root)
    return removed
