"""Secrets typed by members are recognised and masked; ordinary text is left alone."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.shared.patterns import (
    CODE_MASK,
    NIR_MASK,
    contains_access_code,
    is_nir_alone,
    looks_like_access_code,
    redact,
)
from tests.support.nirs import spellings, valid_nirs, with_key


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
        "",
    ],
)
def test_ordinary_messages_are_not_changed(text: str) -> None:
    assert redact(text) == text


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
