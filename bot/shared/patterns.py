"""Recognise secrets typed by members: social-security numbers and access codes.

These patterns are light on purpose: they are imported by code running inside the
Rasa server (the redacting tracker store), which must not pull the database layer.
They find *candidates*; whether a NIR is valid is decided elsewhere.

This module holds the one definition of what may stand *between* the digits of a
number as members type it (``SEPARATORS``). The NIR checker (``bot.rules.nir``)
accepts exactly these characters, and masking joins digits across exactly these
characters, so that no number the bot accepts can be stored in clear. The chat
widget (bot/web/static/chat.js, ``SEPARATORS``) spells the same set; a test keeps
the two equal.

The masking rule, shared with the widget's ``maskSecrets``:

1. NIR candidates (sex digit, 12 more characters with 2A/2B allowed for Corsica,
   optional 2-digit key, any separators between any characters) become the NIR mask.
2. Then every maximal run of digits joined by at most ``MAX_JOIN`` separator
   characters is counted: 10 digits or more is masked as a NIR (a malformed NIR or
   a phone number is still personal data), exactly 6 as an access code, however it
   is spaced ("482 913", "6 1 7 2 4 8", "66,31,47"). Other runs stay, except that a
   group of 6 digits written together and set off by spaces only is still a code
   ("482913 3 fois"), and so are 6 digits followed, after a blank, by a group of
   1 or 2 ("482 913 3 fois"). A date such as 12/03/1991 (8 digits), an amount such
   as 123456.78 or a number such as 1 234 567 stays as typed.
   (The widget's ``maskSecrets`` does not know the last case yet.)
"""

from __future__ import annotations

import re

# Any whitespace: exactly the characters for which ``str.isspace()`` is true (no-break
# and narrow no-break spaces included; a test checks the list). Spelt out so the
# widget can share it.
WHITESPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680"
    "\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# Punctuation members put between groups: dot, hyphen-minus, slash, underscore, comma,
# the Unicode hyphens and dashes (U+2010-U+2015), the minus sign, small and
# full-width hyphens, middle dot, hyphenation point, bullet operator, full-width
# full stop, comma and solidus.
PUNCTUATION_SEPARATORS = (
    ".-/_,\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d\u00b7\u2027\u2219\uff0e\uff0c\uff0f"
)
# Invisible characters a copy-paste or a phone keyboard may slip in: zero-width space,
# non-joiner and joiner, word joiner, byte-order mark, soft hyphen.
INVISIBLE_SEPARATORS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"

SEPARATORS = frozenset(WHITESPACE + PUNCTUATION_SEPARATORS + INVISIBLE_SEPARATORS)
# Whitespace and invisible characters: what may surround a 6-digit group inside a
# longer run without turning it into something else (an amount, a date).
_BLANKS = frozenset(WHITESPACE + INVISIBLE_SEPARATORS)

# The digits a NIR is made of. Masking counts any decimal digit (``\d``: Unicode
# category Nd, ``\p{Nd}`` in the widget), so a code typed in another script's digits
# is masked too; the checker asks for these.
ASCII_DIGITS = frozenset("0123456789")

# At most this many separator characters join two digits of one number ("482 - 913").
MAX_JOIN = 3


def is_separator(ch: str) -> bool:
    """True for a character that may stand between the digits of a number."""
    return ch in SEPARATORS


def _char_class(chars: frozenset[str]) -> str:
    return "[" + "".join(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else ch for ch in sorted(chars)) + "]"


_S = _char_class(SEPARATORS)
_D = r"\d"

# A French NIR as members type it: sex digit, year, month, department (2A/2B for
# Corsica), commune, order number, optional 2-digit key, with any separators
# between any two characters.
NIR_CANDIDATE = re.compile(
    r"(?<![\dA-Za-z])"
    rf"[1-478](?:{_S}*{_D}){{4}}{_S}*(?:{_D}{_S}*{_D}|2{_S}*[ABab])(?:{_S}*{_D}){{6}}"
    rf"(?:(?:{_S}*{_D}){{2}})?"
    r"(?![\dA-Za-z])"
)

# One character of a number: a digit, or "2A"/"2B" (a Corsican department).
_TOKEN = rf"(?:2[ABab](?![A-Za-z])|{_D})"
# A maximal run of digits joined by at most MAX_JOIN separators (scanning from the
# left, a match always starts at a digit that no earlier run could reach).
DIGIT_RUN = re.compile(rf"{_TOKEN}(?:{_S}{{0,{MAX_JOIN}}}{_TOKEN})*")
_JOINS = re.compile(rf"({_S}+)")

NIR_MIN_DIGITS = 10
CODE_DIGITS = 6

# Six digits standing alone in a message: what a member pastes when they share
# their access code.
ACCESS_CODE_ALONE = re.compile(r"^\s*\d{6}\s*$")

NIR_MASK = "[NIR masqué]"
CODE_MASK = "[code masqué]"


def looks_like_access_code(text: str) -> bool:
    """True when the whole message is six digits, i.e. probably an access code."""
    return bool(ACCESS_CODE_ALONE.match(text or ""))


def _is_code_then_count(parts: list[str]) -> bool:
    """True for a code followed by a short count: "482 913 3 (fois)", "48 29 13 12".

    ``parts`` alternates groups of digits and the separators joining them. Members
    say how often they typed their code right after it; the run then holds 7 or 8
    digits and escaped both counts above. It is a code when the groups before the
    last one hold exactly 6 digits and the last group, set off by blanks (after a
    comma or not), has 1 or 2:
    a number written with thousands separators ("1 234 567") never ends with a group
    that short, and a date or an amount ("12/03/1991", "123456.78") never has a blank
    before its last group.
    """
    last_join = parts[-2].removeprefix(",") if len(parts) >= 3 else ""
    if not last_join or not 1 <= len(parts[-1]) <= 2 or not set(last_join) <= _BLANKS:
        return False
    return sum(len(group) for group in parts[:-2:2]) == CODE_DIGITS


def _mask_run(run: str) -> tuple[str, bool]:
    """The run with its secret masked, and whether an access code was found in it."""
    parts = _JOINS.split(run)  # groups at even indexes, the separators joining them at odd ones
    count = sum(len(group) for group in parts[::2])
    if count >= NIR_MIN_DIGITS:
        return NIR_MASK, False
    if count == CODE_DIGITS:
        return CODE_MASK, True
    if _is_code_then_count(parts):
        return CODE_MASK + parts[-2] + parts[-1], True
    found = False
    for index in range(0, len(parts), 2):
        joins = parts[max(index - 1, 0) : index] + parts[index + 1 : index + 2]
        if len(parts[index]) == CODE_DIGITS and all(set(join) <= _BLANKS for join in joins):
            parts[index] = CODE_MASK
            found = True
    return "".join(parts), found


def _mask(text: str) -> tuple[str, bool]:
    found = False

    def replace(match: re.Match[str]) -> str:
        nonlocal found
        masked, code = _mask_run(match.group())
        found = found or code
        return masked

    masked = DIGIT_RUN.sub(replace, NIR_CANDIDATE.sub(NIR_MASK, text))
    return masked, found


def redact(text: str) -> str:
    """Replace anything that may be a NIR or an access code by a neutral mask.

    Used before a message is stored or logged. NIR-like numbers are masked first so
    that six digits inside a NIR are not reported as an access code.
    """
    if not text:
        return text
    return _mask(text)[0]


def contains_access_code(text: str) -> bool:
    """True when ``redact`` masks an access code in ``text`` (six digits, however spaced)."""
    if not text:
        return False
    return _mask(text)[1]


def is_nir_alone(text: str) -> bool:
    """True when the message is a NIR-like number and nothing else but punctuation."""
    if not text or not NIR_CANDIDATE.search(text):
        return False
    rest = NIR_CANDIDATE.sub(" ", text)
    return not any(ch.isalnum() for ch in rest)


def access_code_span(text: str) -> tuple[int, int] | None:
    """Where the first access code of ``text`` is (start, end), as ``contains_access_code`` sees it.

    NIR candidates are blanked first with characters of the same length, so the
    offsets stay those of ``text`` and six digits inside a NIR are not a code.
    """
    if not text:
        return None
    blanked = NIR_CANDIDATE.sub(lambda match: "#" * len(match.group()), text)
    for match in DIGIT_RUN.finditer(blanked):
        if _mask_run(match.group())[1]:
            return match.start(), match.end()
    return None
