"""The one reading of what members type around numbers: every digit form, anything between.

Secrets leak through spellings nobody listed: ``2|91|09|75|006|373|88``, superscript
digits, an invisible separator (U+2063) or a combining grapheme joiner (U+034F)
between digits. So nothing here is a list of separators. A text is read character
by character through Unicode NFKC (superscripts, full-width and circled digits,
ligatures become what they look like), then:

* a **digit** is any character with a decimal digit value (``unicodedata.digit``:
  category Nd in every script, and the few digit forms NFKC leaves alone, such as
  dingbat circled digits); it is written as the ASCII digit of that value;
* a **joiner** is any character that is neither a letter nor a number: punctuation,
  symbols, spaces, format and control characters, combining marks (categories P*,
  S*, Z*, C*, M*). Between two digits, any run of joiners, however long, keeps
  them in one number. Spaces, format and control characters and combining marks
  are written as one ASCII space (they are blanks to the masking rules); punctuation
  and symbols are kept as NFKC writes them (a decimal comma stays a comma);
* anything else (letters, numbers that are not digits such as Roman numerals) is
  kept as NFKC writes it, and ends a number.

Each character is normalised on its own, not the whole text, so that every
character of the normal form knows the character of the original it comes from
(``NormalForm.origin``): secrets are *found* on the normal form and *masked* in the
original, which keeps the member's own wording, accents and layout everywhere else.

Standard library only: the Rasa server imports it (redacting tracker store).
The chat widget (bot/web/static/chat.js, ``normalForm``) implements the same reading
with ``String.prototype.normalize("NFKC")`` and Unicode property escapes; a test
compares both on generated texts.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass

BLANK = " "
# The first letter of the general categories that join digits (punctuation, symbols,
# separators, "other": control/format/surrogate/private/unassigned, marks).
JOINER_CATEGORY_CLASSES = frozenset("PSZCM")
# Of those, the ones that count as a blank (as opposed to punctuation and symbols).
BLANK_CATEGORY_CLASSES = frozenset("ZCM")
ASCII_DIGITS = "0123456789"

# ASCII text is the common case: one table, no per-character lookups.
_ASCII_TABLE = {code: BLANK for code in range(0x20)} | {0x7F: BLANK}


def digit_value(ch: str) -> int | None:
    """The value of ``ch`` as a decimal digit (any script, any form), or None."""
    return unicodedata.digit(ch, None)


def is_joiner(ch: str) -> bool:
    """True for a character that may stand between the digits of one number.

    Anything that is not a letter or a number: punctuation, symbols, spaces, format
    and control characters, combining marks. Read on the NFKC form of ``ch``: a
    character NFKC turns into a digit or a letter ("²", "ﬁ") is not a joiner.
    """
    return all(_kind(part) in ("blank", "mark") for part in unicodedata.normalize("NFKC", ch))


def _kind(ch: str) -> str:
    """ "digit", "blank", "mark" (punctuation or a symbol) or "other" (a letter, a number)."""
    if digit_value(ch) is not None:
        return "digit"
    category = unicodedata.category(ch)[0]
    if category in BLANK_CATEGORY_CLASSES:
        return "blank"
    if category in JOINER_CATEGORY_CLASSES:
        return "mark"
    return "other"


@functools.lru_cache(maxsize=4096)
def normal_char(ch: str) -> str:
    """What one character of the original becomes in the normal form (one or more characters)."""
    out = []
    for part in unicodedata.normalize("NFKC", ch):
        kind = _kind(part)
        if kind == "digit":
            out.append(ASCII_DIGITS[digit_value(part) or 0])
        elif kind == "blank":
            out.append(BLANK)
        else:
            out.append(part)
    return "".join(out)


@dataclass(frozen=True)
class NormalForm:
    """A text in normal form, with where each of its characters comes from.

    ``origin[i]`` is the index in ``source`` of the character that produced
    ``text[i]`` (NFKC may turn one character into several: "½" → "1⁄2").
    ``origin`` is None when it is the identity (plain ASCII text).
    """

    source: str
    text: str
    origin: tuple[int, ...] | None = None

    def source_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of ``source`` that the normal form's ``text[start:end]`` comes from (end > start)."""
        if self.origin is None:
            return start, end
        return self.origin[start], self.origin[end - 1] + 1


def normal_form(text: str) -> NormalForm:
    """``text`` read as the module's docstring says; offsets map back to ``text``."""
    if text.isascii():
        return NormalForm(text, text.translate(_ASCII_TABLE))
    parts: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        normal = normal_char(ch)
        parts.append(normal)
        origin.extend([index] * len(normal))
    return NormalForm(text, "".join(parts), tuple(origin))


def normalized(text: str) -> str:
    """The normal form's text alone (for checks that need no offsets)."""
    return normal_form(text).text
