"""Recognise secrets typed by members: social-security numbers and access codes.

These patterns are light on purpose: they are imported by code running inside the
Rasa server (the redacting tracker store), which must not pull the database layer.
They find *candidates*; whether a NIR is valid is decided elsewhere.
"""

from __future__ import annotations

import re

_SEP = r"[\s.\-/]*"

# A French NIR as members type it: sex digit, year, month, department (2A/2B for
# Corsica), commune, order number, optional 2-digit key, with any of space, dot,
# dash or slash between groups.
NIR_CANDIDATE = re.compile(
    r"(?<![0-9A-Za-z])"
    rf"[12378]{_SEP}\d{{2}}{_SEP}\d{{2}}{_SEP}(?:\d{{2}}|2[ABab]){_SEP}\d{{3}}{_SEP}\d{{3}}"
    rf"(?:{_SEP}\d{{2}})?"
    r"(?![0-9A-Za-z])"
)

# Any long run of digits (possibly grouped) is treated as a possible NIR when
# redacting, even if it is malformed: a mistyped NIR is still personal data.
LONG_DIGIT_RUN = re.compile(r"(?<!\d)\d(?:[\s.\-/]?\d){9,}(?!\d)")

# Six digits standing alone in a message: what a member pastes when they share
# their access code.
ACCESS_CODE_ALONE = re.compile(r"^\s*\d{6}\s*$")

# Six digits inside a sentence ("mon code c'est 123456").
ACCESS_CODE_IN_TEXT = re.compile(r"(?<![\d.\-/])\d{6}(?![\d.\-/])")

NIR_MASK = "[NIR masqué]"
CODE_MASK = "[code masqué]"


def looks_like_access_code(text: str) -> bool:
    """True when the whole message is six digits, i.e. probably an access code."""
    return bool(ACCESS_CODE_ALONE.match(text or ""))


def redact(text: str) -> str:
    """Replace anything that may be a NIR or an access code by a neutral mask.

    Used before a message is stored or logged. NIR-like runs are masked first so
    that six digits inside a NIR are not reported as an access code.
    """
    if not text:
        return text
    masked = NIR_CANDIDATE.sub(NIR_MASK, text)
    masked = LONG_DIGIT_RUN.sub(NIR_MASK, masked)
    return ACCESS_CODE_IN_TEXT.sub(CODE_MASK, masked)


def contains_access_code(text: str) -> bool:
    """True when the message holds six digits on their own (not part of a NIR or phone number)."""
    if not text:
        return False
    without_long_numbers = LONG_DIGIT_RUN.sub(" ", NIR_CANDIDATE.sub(" ", text))
    return bool(ACCESS_CODE_IN_TEXT.search(without_long_numbers))


def is_nir_alone(text: str) -> bool:
    """True when the message is a NIR-like number and nothing else but punctuation."""
    if not text or not NIR_CANDIDATE.search(text):
        return False
    rest = NIR_CANDIDATE.sub(" ", text)
    return not any(ch.isalnum() for ch in rest)
