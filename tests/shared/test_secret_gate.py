"""No NIR or access code survives the gate, whatever digits and separators it is typed with (issue 20).

Separators are drawn from the Unicode categories that are neither letters nor
numbers, digits from category Nd and the forms NFKC folds (``tests.support.unicode_forms``):
no list of spellings the gate could have been written against.
"""

from __future__ import annotations

import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.nir import normalize_nir
from bot.shared.normal_form import BLANK, is_joiner, normal_char, normal_form, normalized
from bot.shared.patterns import (
    CODE_MASK,
    NIR_MASK,
    access_code_span,
    contains_access_code,
    holds_secret,
    is_nir_alone,
    longest_number,
    redact,
)
from tests.support.nirs import valid_nirs, with_key
from tests.support.unicode_forms import DIGIT_FORMS, JOINER_CATEGORIES, typed

PREFIXES = st.sampled_from(["", "mon numéro est ", "nir : ", "code ", "voilà\u00a0", "« "])
SUFFIXES = st.sampled_from(["", " merci", " ne marche pas", " »", "."])
# The demo NIR of the issue, with the key python-stdnum computes.
ISSUE_NIR = with_key("2910975006373")


def digits_left(text: str) -> str:
    """The digits a reader could still get from ``text``, in any form."""
    return "".join(ch for ch in normalized(text) if ch.isdigit())


@settings(max_examples=200, deadline=None)
@given(valid_nirs.flatmap(typed), PREFIXES, SUFFIXES)
def test_a_valid_nir_never_survives_in_any_spelling(written: str, prefix: str, suffix: str) -> None:
    masked = redact(f"{prefix}{written}{suffix}")
    assert masked == f"{prefix}{NIR_MASK}{suffix}"
    assert digits_left(masked) == ""
    assert holds_secret(written)


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 999_999).map("{:06d}".format).flatmap(typed), PREFIXES, SUFFIXES)
def test_a_six_digit_code_never_survives_in_any_spelling(written: str, prefix: str, suffix: str) -> None:
    text = f"{prefix}{written}{suffix}"
    assert redact(text) == f"{prefix}{CODE_MASK}{suffix}"
    assert contains_access_code(text)
    span = access_code_span(text)
    assert span is not None
    assert text[span[0] : span[1]] == written


@settings(max_examples=100, deadline=None)
@given(valid_nirs.flatmap(typed))
def test_the_checker_reads_every_spelling_the_gate_masks(written: str) -> None:
    number = normalize_nir(written)
    assert number == normalized(number)
    assert is_nir_alone(f" {written} ")


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(blacklist_categories=("Cs", "Nd", "No", "Nl"))))
def test_a_text_without_any_digit_is_left_as_typed(text: str) -> None:
    if any(ch.isdigit() for ch in normalized(text)):
        return  # a symbol NFKC turns into a digit ("㉑"): a number after all
    assert redact(text) == text


@pytest.mark.parametrize(
    "sep", ["|", "*", "+", "()", "\u2063", "\u034f", "\u2063\u2063", " | ", "\u200b\u2063\u034f"]
)
def test_the_nirs_of_issue_20_are_masked(sep: str) -> None:
    groups = [ISSUE_NIR[0], ISSUE_NIR[1:3], ISSUE_NIR[3:5], ISSUE_NIR[5:7], ISSUE_NIR[7:10], ISSUE_NIR[10:13]]
    written = sep.join([*groups, ISSUE_NIR[13:]])
    assert redact(f"mon nir {written} merci") == f"mon nir {NIR_MASK} merci"
    assert normalize_nir(written) == ISSUE_NIR


def test_a_nir_in_superscript_digits_is_masked() -> None:
    superscript = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
    assert redact(f"c'est le {ISSUE_NIR.translate(superscript)}") == f"c'est le {NIR_MASK}"
    assert normalize_nir(ISSUE_NIR.translate(superscript)) == ISSUE_NIR


@pytest.mark.parametrize(
    "written",
    [
        "4 8 2    9 1 3",
        "48|29|13",
        "⁴⁸²⁹¹³",
        "4\u20638\u20632\u20639\u20631\u20633",
        "48\u034f29\u034f13",
        "48\ufeff\u200b29\u206013",
        "４８２９１３",
        "(48) (29) (13)",
        "48 * 29 * 13",
    ],
)
def test_the_codes_of_issue_20_are_masked(written: str) -> None:
    masked = redact(f"mon code {written} svp")
    assert CODE_MASK in masked
    assert digits_left(masked) == ""
    if written[0].isdigit() and written[-1].isdigit():
        assert masked == f"mon code {CODE_MASK} svp"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon code 482913 (3 fois)", f"mon code {CODE_MASK} (3 fois)"),
        ("48 29 13 - 3 fois", f"{CODE_MASK} - 3 fois"),
        ("482913 | 2 fois", f"{CODE_MASK} | 2 fois"),
        ("dossier 12/482913", f"dossier 12/{CODE_MASK}"),
        ("1, 2, 3, 4, 5, 6", CODE_MASK),
        ("le 12/03/1991 14:30", f"le {NIR_MASK}"),
        ("code 739204, nir 2 95 06 75 123 045 57", f"code {CODE_MASK}, nir {NIR_MASK}"),
    ],
)
def test_wider_joins_never_unmask_a_code(text: str, expected: str) -> None:
    """A code that joins to a count or another number is still masked (false positives accepted)."""
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "né le 12/03/1991",
        "rappelez à 14h30 dans 2 jours",
        "entre 10 et 12 jours",
        "de 14:30 à 15:45",
        "14:30-15:45",
        "un montant de 123456,78 €",
        "123 456,78 euros",
        "1 234 567 euros",
        "les étapes 1, 2 et 3",
        "0.123456",
        "m² ﬁn Ⅻ",
    ],
)
def test_dates_times_amounts_and_short_numbers_stay_as_typed(text: str) -> None:
    assert redact(text) == text


def test_only_the_secret_is_replaced_the_rest_stays_as_typed() -> None:
    """Masking works on the original: accents, ligatures, superscripts elsewhere are kept."""
    text = "Bonjour, ﬁnalement mon code est ⁴⁸²⁹¹³ — 10 m² merci"
    assert redact(text) == f"Bonjour, ﬁnalement mon code est {CODE_MASK} — 10 m² merci"


def test_characters_outside_the_basic_plane_are_masked_whole() -> None:
    text = "code 𝟒𝟖𝟐𝟗𝟏𝟑 ok"  # mathematical bold digits, two UTF-16 units each
    assert redact(text) == f"code {CODE_MASK} ok"


@pytest.mark.parametrize(
    ("text", "length"),
    [("", 0), ("pas de chiffre", 0), ("né le 12/03/1991", 8), ("48|29|13", 6), ("1 2 3", 3)],
)
def test_longest_number_counts_digits_however_joined(text: str, length: int) -> None:
    assert longest_number(text) == length


# --- the normal form -----------------------------------------------------------


def test_every_character_is_a_digit_a_joiner_or_a_letter_in_the_normal_form() -> None:
    """The regexes of bot.shared.patterns rely on it: [0-9] digits, [\\W_] joiners, the rest letters."""
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        normal = normal_char(ch)
        assert normal, hex(code)
        for part in normal:
            if part.isdigit():
                assert part.isascii(), hex(code)
            elif is_joiner(part):
                assert not part.isalnum() or part == "_", hex(code)
            else:
                assert part.isalnum() and part != "_", hex(code)
        if is_joiner(ch) and unicodedata.category(ch)[0] in "ZCM":
            assert normal.strip() == "", hex(code)


def test_joiners_are_every_category_but_letters_and_numbers() -> None:
    for code in range(sys.maxunicode + 1):
        ch = chr(code)
        category = unicodedata.category(ch)
        if unicodedata.normalize("NFKC", ch) != ch:
            continue  # read as what NFKC makes of it ("ͺ" is a space and a mark)
        if category in JOINER_CATEGORIES:
            assert is_joiner(ch), hex(code)
        if category[0] in "LN":
            assert not is_joiner(ch), hex(code)


def test_every_digit_form_reads_as_its_digit() -> None:
    assert DIGIT_FORMS["4"][:1] == ["4"]
    for digit, forms in DIGIT_FORMS.items():
        assert all(normalized(form) == digit for form in forms)
    assert {"\u0664", "\uff14", "\u2074", "\u2463", "\U0001d7d2"} <= set(DIGIT_FORMS["4"])


def test_offsets_map_back_to_the_original() -> None:
    form = normal_form("a½\u20638")
    assert form.text == f"a1⁄2{BLANK}8"
    assert form.source_span(1, 4) == (1, 2)
    assert form.source_span(4, 6) == (2, 4)
