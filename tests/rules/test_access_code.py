"""The access code rule is the help document's, no more: exactly 6 ASCII digits, typed twice."""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.rules.access_code import ACCESS_CODE_LENGTH, RULE_TEXT, check_new_code

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
    if len(code) >= 3:
        assert code not in message
    return message


def test_the_rule_is_the_help_document_sentence(domain: dict[str, Any]) -> None:
    assert ACCESS_CODE_LENGTH == 6
    assert RULE_TEXT == "Votre code d'accès personnalisé se compose d'exactement 6 chiffres."
    texts = [r["text"] for r in domain["responses"]["utter_access_code_rules"]]
    assert all(t.startswith(RULE_TEXT) for t in texts)


@FEW
@given(six_digits)
def test_any_six_digits_typed_twice_are_accepted(code: str) -> None:
    assert check_new_code(code, code) is None


@pytest.mark.parametrize("code", ["123456", "000000", "111111", "654321", "012345"])
def test_no_rule_beyond_six_digits(code: str) -> None:
    assert check_new_code(code, code) is None


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
    assume(code != confirmation)
    message = assert_french_and_discreet(check_new_code(code, confirmation), code)
    assert "identiques" in message
    assert confirmation not in message


@FEW
@given(six_digits)
def test_a_missing_confirmation_is_asked_for(code: str) -> None:
    message = assert_french_and_discreet(check_new_code(code, ""), code)
    assert "confirmer" in message


def test_each_mistake_has_its_own_message() -> None:
    cases = [("", ""), ("12345", "12345"), ("12345a", "12345a"), ("123 45", "123 45"), ("12-345", "12-345")]
    cases += [("١٢٣٤٥٦", "١٢٣٤٥٦"), ("123456", ""), ("123456", "654321")]
    messages = [check_new_code(code, confirmation) for code, confirmation in cases]
    assert None not in messages
    assert len(set(messages)) == len(messages)
