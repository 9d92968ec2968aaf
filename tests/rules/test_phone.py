"""French phone numbers for a call-back: accepted forms, refusals in French, masking."""

from __future__ import annotations

import pytest

from bot.rules.phone import InvalidPhone, format_phone, is_mobile, mask_phone, normalize_phone


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0612345678", "0612345678"),
        ("06 12 34 56 78", "0612345678"),
        ("06.12.34.56.78", "0612345678"),
        ("06-12-34-56-78", "0612345678"),
        ("07 81 22 33 44", "0781223344"),
        ("01 45 67 89 10", "0145678910"),
        ("09 70 12 34 56", "0970123456"),
        ("+33 6 12 34 56 78", "0612345678"),
        ("+33612345678", "0612345678"),
        ("+33 (0)6 12 34 56 78", "0612345678"),
        ("0033 6 12 34 56 78", "0612345678"),
        ("c'est le 06 12 34 56 78 merci", "0612345678"),
        ("06\u00a012\u00a034\u00a056\u00a078", "0612345678"),
    ],
)
def test_french_numbers_are_normalised(typed: str, expected: str) -> None:
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize(
    ("typed", "complaint"),
    [
        ("", "chiffres"),
        ("demain matin", "pas trouvé de numéro"),
        ("06 12 34 56", "Il manque des chiffres"),
        ("06 12 34 56 78 9", "trop de chiffres"),
        ("08 92 68 00 00", "08"),
        ("+44 20 7946 0958", "numéro français"),
        ("6 12 34 56 78 9", "commence par 0"),
        ("00 12 34 56 78", "numéro français"),
        ("01 23 45 67 89 ou 06 12 34 56 78", "un seul"),
        ("\u0660\u0666 12 34 56 78", "chiffres 0 à 9"),
    ],
)
def test_bad_numbers_are_refused_in_french(typed: str, complaint: str) -> None:
    with pytest.raises(InvalidPhone, match=complaint) as error:
        normalize_phone(typed)
    assert error.value.message == str(error.value)


def test_a_number_starting_with_00_that_is_not_france_is_refused() -> None:
    with pytest.raises(InvalidPhone):
        normalize_phone("0044 20 7946 0958")


def test_masking_keeps_only_the_first_and_last_two_digits() -> None:
    assert mask_phone("0612345678") == "06 •• •• •• 78"
    assert "345" not in mask_phone("0612345678")
    assert mask_phone("123") == "•• •• •• •• ••"


def test_format_and_kind() -> None:
    assert format_phone("0612345678") == "06 12 34 56 78"
    assert is_mobile("0712345678") and not is_mobile("0145678910")
