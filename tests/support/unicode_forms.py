"""Hypothesis strategies for the ways members type numbers: drawn from Unicode categories, not lists.

A joiner is drawn from every category that is neither a letter nor a number
(punctuation, symbols, spaces, format and control characters, combining marks);
a digit from category Nd in every script, or from the forms NFKC folds into a digit
(superscripts, circled and full-width digits, mathematical digits).
"""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import strategies as st
from hypothesis.internal.charmap import CategoriesTuple

from bot.shared.normal_form import ASCII_DIGITS, is_joiner, normal_char

JOINER_CATEGORIES: CategoriesTuple = (
    "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po",
    "Sm", "Sc", "Sk", "So",
    "Zs", "Zl", "Zp",
    "Cc", "Cf", "Co",
    "Mn", "Mc", "Me",
)  # fmt: skip

# Some symbols read as letters once NFKC has its say ("™" is "TM"): those end a number.
joiner = st.characters(whitelist_categories=JOINER_CATEGORIES).filter(is_joiner)


def _digit_forms() -> dict[str, list[str]]:
    """Every character that reads as exactly one digit, by that digit."""
    forms: dict[str, list[str]] = {digit: [] for digit in ASCII_DIGITS}
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        if unicodedata.category(ch) != "Cs" and normal_char(ch) in forms:
            forms[normal_char(ch)].append(ch)
    return forms


DIGIT_FORMS = _digit_forms()
# Decimal digits of category Nd, any script: what st.characters draws for "Nd".
ND: CategoriesTuple = ("Nd",)
nd_digit = st.characters(whitelist_categories=ND)


def digit_form(digit: str) -> st.SearchStrategy[str]:
    """One of the characters members may type for ``digit`` (an ASCII digit)."""
    # Each script's digits 0-9 are consecutive code points: move to the one wanted.
    nd = nd_digit.map(lambda ch: chr(ord(ch) - unicodedata.digit(ch) + int(digit)))
    return st.one_of(st.just(digit), nd, st.sampled_from(DIGIT_FORMS[digit]))


@st.composite
def typed(draw: st.DrawFn, number: str, max_join: int = 6) -> str:
    """``number`` (ASCII digits, maybe "2A"/"2B") in random digit forms, joiners between characters."""
    out = []
    for index, ch in enumerate(number):
        if index:
            out.append("".join(draw(st.lists(joiner, max_size=max_join))))
        out.append(draw(digit_form(ch)) if ch in ASCII_DIGITS else draw(st.sampled_from([ch, ch.lower()])))
    return "".join(out)
