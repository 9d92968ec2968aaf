"""NIRs are accepted however members write them; each mistake gets its own French message.

Every number here is generated (valid by checksum, see ``tests.support.nirs``) or
obviously broken: never a real person's.
"""

from __future__ import annotations

import logging
import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from bot.rules.nir import InvalidNir, mask_nir, normalize_nir
from tests.support.nirs import spellings, valid_nirs, with_key

PREFIXES = ["", "n° ss : ", "N° de sécurité sociale ", "numéro sécu ", "mon nir est ", "NIR:", "nir"]
SUFFIXES = ["", " merci", ".", " !"]

FRENCH_WORDS = {"votre", "vous", "un", "une", "de", "la", "le", "les", "en", "est", "pas", "des"}
ENGLISH_WORDS = {"the", "your", "number", "digit", "digits", "invalid", "error", "missing", "key"}

# Letters that are never part of a NIR (2A/2B use A and B).
LETTERS = "CDEFGHJKMNPQRSTUVWXYZcdefghjkmnpqrstuvwxyz"

# Few examples: each one runs many checks, and the suite should stay fast.
FEW = settings(max_examples=30, deadline=None)
# For tests parametrized over several cases, each case drawing its own examples.
FEW_PER_CASE = settings(max_examples=8, deadline=None)


def error_for(text: str) -> InvalidNir:
    with pytest.raises(InvalidNir) as caught:
        normalize_nir(text)
    return caught.value


def assert_safe_french(error: InvalidNir, number: str) -> None:
    """The message is a French sentence and gives away nothing of ``number``."""
    message = error.message
    assert message == str(error)
    words = set(re.findall(r"[a-zàâçéèêëîïôûù]+", message.lower()))
    assert len(words & FRENCH_WORDS) >= 2, message
    assert not words & ENGLISH_WORDS, message
    assert message.rstrip()[-1] in ".?", message
    # No fragment of 3 digits or more: neither the number nor any group of it.
    assert not re.search(r"\d{3}", message), message
    compact = "".join(ch for ch in number if ch.isalnum())
    for shown in (message, repr(error), *map(str, error.args)):
        if len(compact) >= 3:
            assert compact not in shown
            assert compact.upper() not in shown
    assert error.__cause__ is None
    assert error.__context__ is None


def with_digit(number: str, index: int, digit: str) -> str:
    return number[:index] + digit + number[index + 1 :]


def rekeyed(number: str, index: int, value: str) -> str:
    """``number`` with ``value`` written at ``index`` of the body, and a key that matches."""
    body = number[:13]
    return with_key(body[:index] + value + body[index + len(value) :])


# --- accepted ---------------------------------------------------------------


@FEW
@given(valid_nirs, st.sampled_from(PREFIXES), st.sampled_from(SUFFIXES))
def test_every_spelling_of_a_valid_nir_is_accepted(number: str, prefix: str, suffix: str) -> None:
    for written in spellings(number):
        assert normalize_nir(f"{prefix}{written}{suffix}") == number
        assert normalize_nir(f"  {prefix}{written.lower()}{suffix}\n") == number


@FEW
@given(valid_nirs)
def test_slashes_no_break_spaces_and_the_word_key_are_understood(number: str) -> None:
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13]]
    assert normalize_nir("/".join([*groups, number[13:]])) == number
    assert normalize_nir("\u00a0".join([*groups, number[13:]])) == number
    assert normalize_nir(f"{' '.join(groups)} clé {number[13:]}") == number
    assert normalize_nir(f"{number[:13]} clé : {number[13:]}") == number


@FEW
@given(
    valid_nirs,
    st.sampled_from("123478"),
    st.sampled_from([*range(1, 13), *range(20, 43), *range(50, 100)]),
)
def test_every_first_digit_and_month_insee_uses_is_accepted(number: str, sex: str, month: int) -> None:
    candidate = rekeyed(rekeyed(number, 0, sex), 3, f"{month:02d}")
    assert normalize_nir(candidate) == candidate


@pytest.mark.parametrize("department", ["20", "96", "97", "98", "99", "2A", "2B", "2a", "2b"])
@FEW_PER_CASE
@given(number=valid_nirs)
def test_corsica_before_1976_overseas_and_abroad_are_accepted(department: str, number: str) -> None:
    candidate = rekeyed(number, 5, department.upper())
    assert normalize_nir(candidate[:5] + department + candidate[7:]) == candidate


# --- any single mistyped digit is refused -----------------------------------


@FEW
@given(valid_nirs)
def test_every_single_digit_change_is_refused(number: str) -> None:
    for index, original in enumerate(number):
        if not original.isdigit():
            continue
        for digit in "0123456789":
            if digit != original:
                with pytest.raises(InvalidNir):
                    normalize_nir(with_digit(number, index, digit))


# --- one precise message per mistake ----------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n", "n° ss : ", "mon numéro de sécu", "je ne sais pas"])
def test_nothing_typed_asks_for_the_number(text: str) -> None:
    error = error_for(text)
    assert error.code == "empty"
    assert "numéro de Sécurité sociale" in error.message
    assert_safe_french(error, text)


@FEW
@given(valid_nirs, st.sampled_from([*range(1, 13), 14]))
def test_a_short_number_says_how_many_digits_were_read(number: str, length: int) -> None:
    short = number[:length]
    for written in {short, " ".join(short)}:
        error = error_for(written)
        assert error.code == "too_short"
        unit = "caractère" if any(ch.isalpha() for ch in short) else "chiffre"
        assert error.message.startswith(f"J'ai lu {length} {unit}")
        assert "en compte 15 (13 chiffres, puis une clé de 2 chiffres)" in error.message
        assert_safe_french(error, number)


def test_a_single_digit_is_counted_in_the_singular() -> None:
    assert error_for("1").message.startswith("J'ai lu 1 chiffre :")


@FEW
@given(valid_nirs, st.integers(1, 5))
def test_a_long_number_says_how_many_digits_were_read(number: str, extra: int) -> None:
    error = error_for(number + "7" * extra)
    assert error.code == "too_long"
    unit = "caractères" if any(ch.isalpha() for ch in number) else "chiffres"
    assert error.message.startswith(f"J'ai lu {15 + extra} {unit}")
    assert_safe_french(error, number)


@FEW
@given(valid_nirs, st.integers(0, 14), st.sampled_from(LETTERS))
def test_a_letter_is_located_without_echoing_the_number(number: str, index: int, letter: str) -> None:
    typo = with_digit(number, index, letter)
    error = error_for(typo)
    assert error.code == "letter"
    position = "1er" if index == 0 else f"{index + 1}e"
    assert error.message.startswith(f"Le {position} caractère de votre numéro")
    assert f"« {letter.upper()} »" in error.message
    assert_safe_french(error, number)


@pytest.mark.parametrize(("letter", "digit"), [("O", "0"), ("o", "0"), ("I", "1"), ("l", "1")])
@FEW_PER_CASE
@given(number=valid_nirs, index=st.integers(7, 12))
def test_a_letter_that_looks_like_a_digit_is_pointed_out(
    number: str, index: int, letter: str, digit: str
) -> None:
    error = error_for(with_digit(number, index, letter))
    assert error.code == "letter"
    assert f"à la place du chiffre {digit}" in error.message
    assert_safe_french(error, number)


@pytest.mark.parametrize("symbol", ["*", "#", "+", "?", "|", "\u2063", "\u034f"])
@FEW_PER_CASE
@given(number=valid_nirs, index=st.integers(1, 12))
def test_a_symbol_in_place_of_a_digit_only_separates(number: str, index: int, symbol: str) -> None:
    """A symbol joins groups, as masking reads it: the digit it replaced is missing."""
    assume(not number[index + 1 : index + 2].isalpha())  # the "2" of 2A/2B: the stray letter is the error
    error = error_for(with_digit(number, index, symbol))
    assert error.code == "too_short"
    assert error.message.startswith("J'ai lu 14 c")  # chiffres, or caractères with 2A/2B
    assert_safe_french(error, number)


@pytest.mark.parametrize(
    "forms",
    [
        "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669",  # Arabic-Indic
        "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19",  # full-width
        "\u2070\u00b9\u00b2\u00b3\u2074\u2075\u2076\u2077\u2078\u2079",  # superscript
        "\u0966\u0967\u0968\u0969\u096a\u096b\u096c\u096d\u096e\u096f",  # Devanagari
    ],
)
@FEW_PER_CASE
@given(number=valid_nirs)
def test_every_digit_form_is_read_as_its_digit(number: str, forms: str) -> None:
    """What masking counts as a digit, the checker reads as that digit."""
    written = "".join(forms[int(ch)] if ch.isdigit() else ch for ch in number)
    assert normalize_nir(written) == number
    assert normalize_nir(" | ".join([written[:1], written[1:7], written[7:]])) == number


@pytest.mark.parametrize("sep", ["|", "*", "+", "\u2063", "\u034f", "()", " \u2063 "])
def test_the_spellings_of_issue_20_are_accepted(sep: str) -> None:
    number = with_key("2910975006373")
    groups = [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    assert normalize_nir(sep.join(groups)) == number
    assert mask_nir(sep.join(groups)) == f"2 91 ** ** *** *** {number[13:]}"


@FEW
@given(valid_nirs)
def test_2a_outside_the_department_is_a_letter(number: str) -> None:
    error = error_for(number[:7] + "2A" + number[9:])
    assert error.code == "letter"
    assert error.message.startswith("Le 9e caractère")
    assert_safe_french(error, number)


@FEW
@given(valid_nirs)
def test_a_body_without_key_asks_for_the_key(number: str) -> None:
    body = number[:13]
    groups = [body[0], body[1:3], body[3:5], body[5:7], body[7:10], body[10:]]
    for written in [body, *(sep.join(groups) for sep in (" ", ".", "-"))]:
        error = error_for(written)
        assert error.code == "missing_key"
        assert error.message == (
            "Il manque la clé : les 2 derniers chiffres de votre numéro, à la fin de votre carte Vitale."
        )
        assert number[13:] not in error.message
        assert_safe_french(error, number)


@FEW
@given(valid_nirs, st.integers(0, 99))
def test_a_wrong_key_never_reveals_the_right_one(number: str, key: int) -> None:
    right = number[13:]
    wrong = f"{key:02d}"
    assume(wrong != right)
    error = error_for(number[:13] + wrong)
    assert error.code == "bad_key"
    assert "carte Vitale" in error.message
    assert right not in error.message
    assert not re.search(r"\d\d", error.message)
    assert_safe_french(error, number)


# The three structural checks: the message never depends on the number, so it
# cannot leak it; it is compared with the message for an obviously broken one.
STRUCTURE_CASES = [
    ("bad_sex", 0, st.sampled_from("0569")),
    ("bad_month", 3, st.sampled_from(["00", *map(str, range(13, 20)), *map(str, range(43, 50))])),
    ("bad_department", 5, st.just("00")),
]
BROKEN_EXAMPLES = {
    "bad_sex": "5000101001001",
    "bad_month": "1001301001001",
    "bad_department": "1000100001001",
}


@pytest.mark.parametrize(("code", "index", "values"), STRUCTURE_CASES, ids=[c[0] for c in STRUCTURE_CASES])
@FEW_PER_CASE
@given(data=st.data())
def test_structural_mistakes_have_their_own_message(
    code: str, index: int, values: st.SearchStrategy[str], data: st.DataObject
) -> None:
    number = data.draw(valid_nirs)
    candidate = rekeyed(number, index, data.draw(values))
    reference = error_for(BROKEN_EXAMPLES[code]).message
    for written in (candidate, candidate[:13], spellings(candidate)[1]):
        error = error_for(written)
        assert error.code == code
        assert error.message == reference
        assert_safe_french(error, candidate)


def test_every_failure_kind_has_a_distinct_message() -> None:
    broken = [
        "",
        "1",
        "1" * 20,
        "18412X5108234",
        "1000101001001",
        "100010100100100",
        *BROKEN_EXAMPLES.values(),
    ]
    errors = [error_for(text) for text in broken]
    assert {e.code for e in errors} == {
        "empty", "too_short", "too_long", "letter", "missing_key", "bad_key",
        "bad_sex", "bad_month", "bad_department",
    }  # fmt: skip
    assert len({e.message for e in errors}) == len(errors)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@FEW
@given(valid_nirs)
def test_nothing_is_logged(number: str) -> None:
    collect = _Collect()
    root = logging.getLogger()
    previous = root.level
    root.addHandler(collect)
    root.setLevel(logging.DEBUG)
    try:
        normalize_nir(number)
        for broken in (number[:13], number[:13] + "00", number[:12], "A" + number[1:]):
            with pytest.raises(InvalidNir):
                normalize_nir(broken)
    finally:
        root.removeHandler(collect)
        root.setLevel(previous)
    assert collect.records == []


# --- masking for agents ------------------------------------------------------


@FEW
@given(valid_nirs)
def test_agents_see_sex_year_and_key_only(number: str) -> None:
    for written in spellings(number):
        masked = mask_nir(written)
        assert masked == f"{number[0]} {number[1:3]} ** ** *** *** {number[13:]}"
        assert number[3:13] not in masked.replace(" ", "")


@pytest.mark.parametrize("text", ["", "12345", "1" * 20, "pas un numéro", "18412X51082345"])
def test_anything_else_is_masked_entirely(text: str) -> None:
    masked = mask_nir(text)
    assert set(masked) <= {"*", " "}
