"""Secrets typed by members are recognised and masked; ordinary text is left alone."""

from __future__ import annotations

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from bot.rules.nir import InvalidNir, normalize_nir
from bot.shared.patterns import (
    CODE_MASK,
    NIR_MASK,
    contains_access_code,
    is_nir_alone,
    redact,
)
from tests.support.nirs import spellings, valid_nirs, with_key
from tests.support.unicode_forms import joiner

# How many joiners at most the tests put between two digits (the gate has no limit).
MAX_JOIN = 5


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
    """``number`` with 0 to ``max_join`` joiners of any category between any two characters."""
    out = [number[0]]
    for ch in number[1:]:
        out.append("".join(draw(st.lists(joiner, max_size=max_join))))
        out.append(ch)
    return "".join(out)


@given(valid_nirs, st.lists(joiner, min_size=1, max_size=4).map("".join))
def test_the_checker_accepts_any_joiner_between_groups(number: str, join: str) -> None:
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    written = join.join(groups)
    assert normalize_nir(written) == number
    assert NIR_MASK in redact(written)
    assert is_nir_alone(written)


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
