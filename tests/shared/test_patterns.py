"""Secrets typed by members are recognised and masked; ordinary text is left alone."""

from __future__ import annotations

import sys

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.rules.nir import InvalidNir, normalize_nir
from bot.shared.patterns import (
    CODE_MASK,
    MAX_JOIN,
    NIR_MASK,
    SEPARATORS,
    WHITESPACE,
    contains_access_code,
    is_nir_alone,
    is_separator,
    looks_like_access_code,
    redact,
)
from tests.support.nirs import spellings, valid_nirs, with_key

# What the findings of issue #9 listed, which the set must hold at least.
REQUIRED_SEPARATORS = (
    " \t\n\u00a0\u202f\u2007.-/_,\u2010\u2011\u2012\u2013\u2014\u2212\u00b7\u200b\u200c\u200d\u2060\ufeff"
)
SORTED_SEPARATORS = sorted(SEPARATORS)
separator = st.sampled_from(SORTED_SEPARATORS)


def longest_digit_run(text: str, digits: str) -> int:
    """The longest run of consecutive characters of ``digits`` found, in order, in ``text``'s digits."""
    shown = "".join(ch for ch in text if ch.isdigit())
    return max(
        (
            n
            for n in range(1, len(digits) + 1)
            for i in range(len(digits) - n + 1)
            if digits[i : i + n] in shown
        ),
        default=0,
    )


@st.composite
def spread(draw: st.DrawFn, number: str, max_join: int) -> str:
    """``number`` with 0 to ``max_join`` random separators between any two characters."""
    out = [number[0]]
    for ch in number[1:]:
        out.append("".join(draw(st.lists(separator, max_size=max_join))))
        out.append(ch)
    return "".join(out)


def test_whitespace_is_every_character_python_calls_a_space() -> None:
    assert set(WHITESPACE) == {chr(code) for code in range(sys.maxunicode + 1) if chr(code).isspace()}


def test_the_separator_set_holds_what_members_type() -> None:
    assert set(REQUIRED_SEPARATORS) <= SEPARATORS
    assert not any(ch.isalnum() for ch in SEPARATORS)


@given(valid_nirs, separator)
def test_the_checker_accepts_exactly_the_shared_separators(number: str, sep: str) -> None:
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    assert normalize_nir(sep.join(groups)) == number
    assert is_separator(sep)


@given(
    st.data(),
    valid_nirs,
    st.sampled_from(["", "mon numéro est ", "nir: ", "voila "]),
    st.sampled_from(["", " merci", "."]),
)
def test_whatever_the_checker_accepts_leaves_no_six_of_its_digits_in_clear(
    data: st.DataObject, number: str, prefix: str, suffix: str
) -> None:
    written = data.draw(spread(number, 4))
    if data.draw(st.booleans()):
        written = written.lower()
    text = f"{prefix}{written}{suffix}"
    try:
        accepted = normalize_nir(text)
    except InvalidNir:
        assume(False)
        return
    masked = redact(text)
    digits = accepted.replace("A", "x").replace("B", "x")  # no run of digits crosses 2A/2B
    assert longest_digit_run(masked, digits) < 6, masked
    assert NIR_MASK in masked


@given(
    st.data(),
    st.integers(0, 999_999),
    st.sampled_from(["", "mon code ", "c'est ", "code:"]),
    st.sampled_from(["", " merci", " ne marche pas", "."]),
)
def test_a_six_digit_code_is_masked_however_it_is_spaced(
    data: st.DataObject, code: int, prefix: str, suffix: str
) -> None:
    written = data.draw(spread(f"{code:06d}", MAX_JOIN))
    text = f"{prefix}{written}{suffix}"
    masked = redact(text)
    assert masked == f"{prefix}{CODE_MASK}{suffix}"
    assert contains_access_code(text)


@pytest.mark.parametrize(
    "text",
    [
        "482 913",
        "6 1 7 2 4 8",
        "719-204",
        "305.118",
        "66,31,47",
        "482\u200b913",
        "48\u200c29\u200d13",
        "4\ufeff82\u2060913",
    ],
)
def test_the_codes_of_the_findings_are_masked(text: str) -> None:
    assert redact(f"mon code {text} !") == f"mon code {CODE_MASK} !"
    assert contains_access_code(text)


@pytest.mark.parametrize("sep", ["_", ",", "\u2013", "\u00b7", "\u2212", "\u200b", "\u00a0"])
def test_the_nirs_of_the_findings_are_masked(sep: str) -> None:
    number = with_key("1841275108234")
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    written = sep.join(groups)
    assert normalize_nir(written) == number
    assert redact(f"mon nir {written} merci") == f"mon nir {NIR_MASK} merci"
    assert is_nir_alone(written)


@given(valid_nirs, st.sampled_from(["", "mon numéro est ", "n° ss : ", "voila "]))
def test_every_spelling_of_a_nir_is_masked(number: str, prefix: str) -> None:
    for written in spellings(number):
        masked = redact(f"{prefix}{written} merci")
        assert NIR_MASK in masked
        digits = "".join(ch for ch in masked if ch.isdigit())
        assert digits == "", f"digits left in {masked!r}"


@given(valid_nirs)
def test_a_nir_without_its_key_is_still_masked(number: str) -> None:
    assert NIR_MASK in redact(f"c'est le {number[:13]}")


@given(st.integers(0, 999_999))
def test_six_digits_are_masked_as_an_access_code(code: int) -> None:
    masked = redact(f"mon code c'est {code:06d} merci")
    assert masked == f"mon code c'est {CODE_MASK} merci"


@pytest.mark.parametrize(
    "text",
    [
        "j'ai fait 3 tentatives",
        "le code doit faire 6 chiffres",
        "le courrier arrive sous 8 jours",
        "né le 12/05/1984",
        "né le 12/03/1991",
        "un montant de 123456.78 euros",
        "12 345 personnes",
        "",
    ],
)
def test_ordinary_messages_are_not_changed(text: str) -> None:
    assert redact(text) == text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("j'ai tapé 482 913 3 fois", f"j'ai tapé {CODE_MASK} 3 fois"),
        ("482 913 2 fois", f"{CODE_MASK} 2 fois"),
        ("482 913, 3 fois", f"{CODE_MASK}, 3 fois"),
        ("482-913 12 fois", f"{CODE_MASK} 12 fois"),
        ("48 29 13 3 fois", f"{CODE_MASK} 3 fois"),
        ("4 8 2 9 1 3 3 fois", f"{CODE_MASK} 3 fois"),
    ],
)
def test_a_code_followed_by_how_many_times_it_was_typed_is_masked(text: str, expected: str) -> None:
    """Issue #9's gap: the count after the code made a 7- or 8-digit run, left in clear."""
    assert redact(text) == expected
    assert contains_access_code(text)


@given(st.integers(0, 999_999), st.integers(1, 99))
def test_no_code_followed_by_a_count_is_left_in_clear(code: int, count: int) -> None:
    written = f"{code:06d}"
    for spaced in (written, f"{written[:3]} {written[3:]}", " ".join(written)):
        masked = redact(f"code {spaced} {count} fois")
        assert masked == f"code {CODE_MASK} {count} fois", masked


@pytest.mark.parametrize(
    "text",
    ["1 234 567 euros", "12 03 1991", "123456,78 euros", "le 12/03/1991 2 fois", "dossier 1234567 3"],
)
def test_numbers_that_only_end_like_a_count_are_not_a_code(text: str) -> None:
    assert redact(text) == text
    assert not contains_access_code(text)


@pytest.mark.parametrize("text", ["123456", " 004512 ", "999999\n"])
def test_six_digits_alone_look_like_an_access_code(text: str) -> None:
    assert looks_like_access_code(text)


@pytest.mark.parametrize("text", ["12345", "1234567", "mon code 123456", "12 34 56", "abcdef"])
def test_other_messages_do_not_look_like_an_access_code(text: str) -> None:
    assert not looks_like_access_code(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mon code 123456 ne marche pas", True),
        ("482913", True),
        ("c'est 004512 ?", True),
        ("mon code a 6 chiffres ne marche pas", False),
        ("mon code 482 913 ne marche pas", True),
        ("j'ai tapé 482913 3 fois", True),
        ("j'habite au 75008 paris", False),
        ("appelez le 06 12 34 56 78", False),
        ("né le 12/05/1984", False),
        (spellings(with_key("1841275108234"))[1], False),
    ],
)
def test_contains_access_code(text: str, expected: bool) -> None:
    assert contains_access_code(text) is expected


@given(valid_nirs)
def test_a_nir_alone_is_recognised_in_every_spelling(number: str) -> None:
    for written in spellings(number):
        assert is_nir_alone(f" {written} ")
        assert not is_nir_alone(f"mon numero {written} ne marche pas")


@pytest.mark.parametrize("text", ["", "123", "bonjour", "06 12 34 56 78"])
def test_other_messages_are_not_a_nir_alone(text: str) -> None:
    assert not is_nir_alone(text)
