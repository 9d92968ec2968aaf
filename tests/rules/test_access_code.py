"""The access code rules: exactly 6 ASCII digits (the help document), typed twice, not easy to guess."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.rules.access_code import (
    ACCESS_CODE_LENGTH,
    GUESSABLE_TEXT,
    RULE_TEXT,
    BirthMonth,
    check_new_code,
    common_codes,
    guessable_reason,
)

ASCII_DIGITS = "0123456789"
six_digits = st.text(alphabet=ASCII_DIGITS, min_size=6, max_size=6)

# Few examples: each one runs many checks, and the suite should stay fast.
FEW = settings(max_examples=50, deadline=None)


def assert_french_and_discreet(message: str | None, code: str) -> str:
    """A French sentence that never repeats what the member typed."""
    assert message is not None
    assert re.search(r"\b(votre|vous)\b", message, re.IGNORECASE), message
    assert message.rstrip()[-1] in ".?", message
    assert not re.search(r"\d{3}", message), message
    # What was typed is never echoed. Text without a digit may be a French word of the
    # message itself (hypothesis once drew « que »): only a text holding a digit can say it.
    if len(code) >= 3 and any(ch.isdigit() for ch in code):
        assert code not in message
    return message


def test_the_rule_is_the_help_document_sentence(domain: dict[str, Any]) -> None:
    assert ACCESS_CODE_LENGTH == 6
    assert RULE_TEXT == "Votre code d'accès personnalisé se compose d'exactement 6 chiffres."
    texts = [r["text"] for r in domain["responses"]["utter_access_code_rules"]]
    assert all(t.startswith(RULE_TEXT) for t in texts)
    # The chat explains the rules the reset page enforces, in the same words.
    assert all(t.endswith(GUESSABLE_TEXT) for t in texts)


@FEW
@given(six_digits)
def test_six_digits_typed_twice_are_accepted_unless_guessable(code: str) -> None:
    assert (check_new_code(code, code) is None) == (guessable_reason(code) is None)


@pytest.mark.parametrize("code", ["482913", "730518", "095724", "618240"])
def test_ordinary_codes_are_accepted(code: str) -> None:
    assert check_new_code(code, code) is None


@pytest.mark.parametrize(
    ("code", "reason"),
    [
        ("000000", "six fois le même chiffre"),
        ("777777", "six fois le même chiffre"),
        ("123456", "qui se suivent"),
        ("345678", "qui se suivent"),
        ("987654", "qui se suivent"),
        ("890123", "qui se suivent"),
        ("454545", "groupe de deux ou trois chiffres"),
        ("271271", "groupe de deux ou trois chiffres"),
        ("159753", "les plus utilisés"),
        ("147258", "les plus utilisés"),
    ],
)
def test_guessable_codes_are_refused_with_their_reason(code: str, reason: str) -> None:
    message = assert_french_and_discreet(check_new_code(code, code), code)
    assert reason in message


def test_the_bundled_list_holds_at_least_the_top_100_codes() -> None:
    codes = common_codes()
    assert len(codes) >= 100
    assert all(len(code) == ACCESS_CODE_LENGTH and code.isascii() and code.isdigit() for code in codes)
    assert {"123456", "000000", "121212", "159753"} <= codes


@pytest.mark.parametrize("code", ["150391", "910315", "031991", "199103", "031591"])
def test_a_date_in_the_members_birth_month_is_refused(code: str) -> None:
    birth = BirthMonth(year2=91, month=3)
    message = assert_french_and_discreet(check_new_code(code, code, birth), code)
    assert "date de naissance" in message
    assert check_new_code(code, code) is None  # without the member, nothing says it is a date


def test_birth_month_comes_from_the_nir() -> None:
    assert BirthMonth.from_nir("291097500637388") == BirthMonth(year2=91, month=9)
    # Months 20-42 and 50-99 mean "unknown month": nothing to compare with.
    assert BirthMonth.from_nir("291507500637388") is None


def test_the_confirmation_is_asked_only_once_the_code_is_acceptable() -> None:
    assert "six fois" in (check_new_code("000000", "") or "")


def test_an_empty_code_is_asked_for() -> None:
    message = assert_french_and_discreet(check_new_code("", ""), "")
    assert "saisir" in message


@FEW
@given(st.text(alphabet=ASCII_DIGITS, min_size=1, max_size=30).filter(lambda c: len(c) != 6))
def test_a_wrong_length_says_how_many_digits_were_typed(code: str) -> None:
    message = assert_french_and_discreet(check_new_code(code, code), code)
    unit = "chiffres" if len(code) > 1 else "chiffre"
    assert message.startswith(f"Vous avez saisi {len(code)} {unit} :")
    assert "exactement 6" in message


@pytest.mark.parametrize(
    ("code", "hint"),
    [
        ("12345a", "lettre"),
        ("abcdef", "lettre"),
        ("12O456", "lettre"),
        ("123 456", "espace"),
        (" 123456", "espace"),
        ("123456\n", "espace"),
        ("12-34-56", "symbole"),
        ("12.345", "symbole"),
        ("12345!", "symbole"),
        ("١٢٣٤٥٦", "autre alphabet"),
        ("１２３４５６", "autre alphabet"),
        ("12345٦", "autre alphabet"),
    ],
)
def test_only_ascii_digits_are_allowed(code: str, hint: str) -> None:
    message = assert_french_and_discreet(check_new_code(code, code), code)
    assert hint in message


@FEW
@given(
    st.text(min_size=1, max_size=12).filter(lambda c: any(ch not in ASCII_DIGITS for ch in c)),
)
def test_anything_but_ascii_digits_is_refused(code: str) -> None:
    assert_french_and_discreet(check_new_code(code, code), code)


@FEW
@given(six_digits, six_digits)
def test_two_different_entries_are_refused(code: str, confirmation: str) -> None:
    assume(code != confirmation and guessable_reason(code) is None)
    message = assert_french_and_discreet(check_new_code(code, confirmation), code)
    assert "identiques" in message
    assert confirmation not in message


@FEW
@given(six_digits)
def test_a_missing_confirmation_is_asked_for(code: str) -> None:
    assume(guessable_reason(code) is None)
    message = assert_french_and_discreet(check_new_code(code, ""), code)
    assert "confirmer" in message


def test_each_mistake_has_its_own_message() -> None:
    cases = [("", ""), ("12345", "12345"), ("12345a", "12345a"), ("123 45", "123 45"), ("12-345", "12-345")]
    cases += [("١٢٣٤٥٦", "١٢٣٤٥٦"), ("482913", ""), ("482913", "482914"), ("000000", "000000")]
    messages = [check_new_code(code, confirmation) for code, confirmation in cases]
    assert None not in messages
    assert len(set(messages)) == len(messages)
