"""The one gate for member secrets: what is a NIR or an access code, however it is typed.

Every text a person typed passes through ``redact`` before it is stored or shown
again (conversation store, hand-off messages and transcripts, console notes,
workbench, reports, training data). It is light on purpose: the Rasa server
imports it (the redacting tracker store), so it must not pull the database layer.

Secrets are *found* on the normal form of the text (``bot.shared.normal_form``:
NFKC, every digit form read as its ASCII digit, anything that is not a letter or a
digit joins digits) and *masked* in the original text, whose other characters stay
as typed (offsets are mapped back). Masking the normal form instead would rewrite
what is not a secret ("m²" → "m2", ligatures), which agents and trainers read.

A **number** is a maximal run of digits joined by any run of joiners, however long
(``2|91|09|75|006|373|88``, ``4 8 2    9 1 3``, ``48⁣29⁣13``); a Corsican department
"2A"/"2B" (even spaced, "2 A") counts as two of its characters. A letter ends it.
Then, on each number:

1. 10 digits or more: masked as a NIR (a malformed NIR or a phone number is still
   personal data).
2. Exactly 6: masked as an access code ("482 913", "66,31,47", "12.05.24" too).
3. 7 to 9 whose groups but the last hold 6 digits and whose last group (1 to 3
   digits) is a count: a code followed by how often it was typed ("482 913 3 fois",
   "48 29 13 - 3 fois", "482913 (3 fois)", "48-29-13-3 fois", "48 29 13 100 fois");
   the count stays. The last group is a count when a blank comes before it, or when
   no ":" joins the number ("14:30-15:45" is a range of times) and it is not cents
   (a lone "." or "," used once in the number: "123 456,78", "123456.78"). The
   price: "123 456 789" shows as a code followed by 789.
4. Otherwise, any group of exactly 6 digits written together is a code, unless a
   decimal mark (a lone "." or ",") stands right before or after it: an amount
   ("123456,78 €", "0.123456").
   What stays as typed: short numbers, dates with a 4-digit year ("12/03/1991",
   8 digits), times and ranges ("14:30-15:45"), amounts ("123 456,78"), numbers
   grouped by thousands ("1 234 567").

Why joins have no length limit: every cap was a spelling that leaked (issue 20).
The price is false positives where two numbers are only separated by punctuation
("1, 2, 3, 4, 5, 6" is masked as a code, "12/03/1991 14:30" as a NIR): a masked
list is cheaper than a leaked secret, and words ("entre 10 et 12", "14h30") still
end a number. The chat widget (bot/web/static/chat.js, ``maskSecrets``) applies the
same rule; a test compares both on generated texts.

``NIR_CANDIDATE`` recognises the shape of a NIR (sex digit, structure, 2A/2B) on the
normal form; the checker (``bot.rules.nir``) reads the same normal form, so a
number it accepts is always masked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.shared.normal_form import BLANK, NormalForm, normal_form

# Classes of the normal form, where every digit is ASCII and every joiner is a
# non-word character or "_" (a test checks that for every character).
_J = r"[\W_]"
_D = "[0-9]"
_ALNUM = r"[^\W_]"
_LETTER = r"[^\W0-9_]"

# A French NIR as members type it: sex digit, year, month, department (2A/2B for
# Corsica), commune, order number, optional 2-digit key, any joiners in between.
NIR_CANDIDATE = re.compile(
    rf"(?<!{_ALNUM})"
    rf"[1-478](?:{_J}*{_D}){{4}}{_J}*(?:{_D}{_J}*{_D}|2{_J}*[ABab])(?:{_J}*{_D}){{6}}"
    rf"(?:(?:{_J}*{_D}){{2}})?"
    rf"(?!{_ALNUM})"
)
# One character of a number: a digit, or "2A"/"2B" (a Corsican department).
_TOKEN = rf"(?:2{_J}*[ABab](?!{_LETTER})|{_D})"
# A maximal run of digits and the joiners between them.
NUMBER = re.compile(rf"{_TOKEN}(?:{_J}*{_TOKEN})*")
_JOINS = re.compile(rf"({_J}+)")

NIR_MIN_DIGITS = 10
CODE_DIGITS = 6
_MAX_COUNT_DIGITS = 3
_TIME_MARK = ":"
_DECIMAL_MARKS = frozenset({".", ","})

NIR_MASK = "[NIR masqué]"
CODE_MASK = "[code masqué]"


@dataclass(frozen=True)
class Secret:
    """A secret found in a text: where (offsets of the original text) and which mask."""

    start: int
    end: int
    mask: str

    @property
    def is_code(self) -> bool:
        return self.mask == CODE_MASK


def _is_time(parts: list[str]) -> bool:
    """A ":" joins two groups of the number: a time or a range of times."""
    return any(_TIME_MARK in join for join in parts[1::2])


def _ends_in_cents(parts: list[str]) -> bool:
    """The last group follows a lone decimal mark used once in the number: an amount."""
    joins = parts[1::2]
    return joins[-1] in _DECIMAL_MARKS and joins.count(joins[-1]) == 1


def _number_secrets(run: str) -> Iterator[tuple[int, int, str]]:
    """The secrets of one number (rules 1-4 of the module docstring), as offsets in ``run``."""
    parts = _JOINS.split(run)  # groups at even indexes, the joiners between them at odd ones
    groups = parts[::2]
    count = sum(len(group) for group in groups)
    if count >= NIR_MIN_DIGITS:
        yield 0, len(run), NIR_MASK
        return
    if count == CODE_DIGITS:
        yield 0, len(run), CODE_MASK
        return
    if (
        len(parts) >= 3
        and count - len(groups[-1]) == CODE_DIGITS
        and len(groups[-1]) <= _MAX_COUNT_DIGITS
        and (BLANK in parts[-2] or not (_is_time(parts) or _ends_in_cents(parts)))
    ):
        yield 0, len(run) - len(parts[-1]) - len(parts[-2]), CODE_MASK
        return
    start = 0
    for index, part in enumerate(parts):
        if index % 2 == 0 and len(part) == CODE_DIGITS:
            neighbours = parts[max(index - 1, 0) : index] + parts[index + 1 : index + 2]
            if not any(join in _DECIMAL_MARKS for join in neighbours):
                yield start, start + len(part), CODE_MASK
        start += len(part)


def _secrets_in(form: NormalForm) -> list[Secret]:
    found: list[Secret] = []
    for match in NUMBER.finditer(form.text):
        for start, end, mask in _number_secrets(match.group()):
            source_start, source_end = form.source_span(match.start() + start, match.start() + end)
            if found and source_start < found[-1].end:  # one character of the original in two numbers
                previous = found.pop()
                mask = NIR_MASK if NIR_MASK in (mask, previous.mask) else mask
                source_start = previous.start
            found.append(Secret(source_start, source_end, mask))
    return found


def secrets(text: str) -> list[Secret]:
    """Every secret of ``text``, in order, without overlaps (offsets of ``text``)."""
    if not text:
        return []
    return _secrets_in(normal_form(text))


def redact(text: str) -> str:
    """``text`` with every NIR and access code, however typed, replaced by its mask.

    The gate every stored text goes through; see the module docstring for the rule.
    """
    found = secrets(text)
    if not found:
        return text
    out: list[str] = []
    last = 0
    for secret in found:
        out += [text[last : secret.start], secret.mask]
        last = secret.end
    out.append(text[last:])
    return "".join(out)


def holds_secret(text: str) -> bool:
    """True when ``redact`` would change ``text``."""
    return bool(secrets(text))


def contains_access_code(text: str) -> bool:
    """True when ``redact`` masks an access code in ``text`` (six digits, however typed)."""
    return access_code_span(text) is not None


def access_code_span(text: str) -> tuple[int, int] | None:
    """Where the first access code of ``text`` is (start, end), as ``redact`` masks it."""
    for secret in secrets(text):
        if secret.is_code:
            return secret.start, secret.end
    return None


def longest_number(text: str) -> int:
    """How many digits the longest number of ``text`` holds, however its digits are joined."""
    if not text:
        return 0
    return max(
        (
            sum(len(group) for group in _JOINS.split(match.group())[::2])
            for match in NUMBER.finditer(normal_form(text).text)
        ),
        default=0,
    )


def nir_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` holds something shaped like a NIR (offsets of ``text``), in order."""
    if not text:
        return []
    form = normal_form(text)
    return [form.source_span(*match.span()) for match in NIR_CANDIDATE.finditer(form.text)]


def first_nir(text: str) -> str | None:
    """The first NIR-shaped part of ``text``, as typed, or None."""
    spans = nir_spans(text)
    return text[spans[0][0] : spans[0][1]] if spans else None


def without_nirs(text: str, replacement: str = " ") -> str:
    """``text`` with every NIR-shaped part replaced by ``replacement``."""
    out: list[str] = []
    last = 0
    for start, end in nir_spans(text):
        out += [text[last:start], replacement]
        last = end
    out.append(text[last:])
    return "".join(out)


def is_nir_alone(text: str) -> bool:
    """True when the message is a NIR-shaped number and nothing else but punctuation."""
    if not nir_spans(text):
        return False
    return not any(ch.isalnum() for ch in normal_form(without_nirs(text)).text)
