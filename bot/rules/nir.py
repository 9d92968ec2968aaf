"""Check a French social-security number (NIR) as a member types it.

Members copy their number from a carte Vitale, a payslip or a letter, with spaces,
dots, dashes, bars or anything else between the groups, in any digit form, often
after a few words ("mon n° de sécu est ..."). We accept all of that, and when the
number cannot be right we say *what* is wrong in one precise French sentence,
because "numéro invalide" sends a member back to a card they already read
correctly once.

The checksum comes from python-stdnum (``stdnum.fr.nir``), which knows how Corsica
(2A/2B) enters the key but checks nothing else. We add the structural checks it
does not make, and keep them lenient on purpose: refusing a real member's number
locks them out of the help they came for, while a wrong but plausible number is
still caught by the key (any single mistyped digit changes it, 97 being prime).

Structure of the 13-character body, as INSEE documents it:

* position 1, sex: 1 (men) or 2 (women). INSEE's XML schema for the NIR accepts
  ``[1-478]``: 3 and 4 have been used for people whose registration was still in
  progress, 7 and 8 are temporary numbers. We accept the same; 0, 5, 6 and 9 are
  refused.
* positions 2-3, year: any value.
* positions 4-5, month: 01-12, and also 20-42 and 50-99, which INSEE gives to
  people registered from an incomplete civil-status record (unknown month).
  00, 13-19 and 43-49 are refused.
* positions 6-7, department: the code that existed at birth. That is 01-95 for
  mainland France; 2A/2B for Corsica since 1976, but 20 for members born there
  before (the NIR never changes, so older members still carry 20); 91-94 and
  95-96 were also used for Algeria, Morocco and Tunisia before independence;
  97 and 98 start a 3-digit overseas code (971 Guadeloupe ... 988
  Nouvelle-Calédonie) followed by a 2-digit commune; 99 means born abroad, then a
  3-digit country code. Since the commune part then has a different size but the
  same total length, and we do not check communes at all, every two-digit value
  from 01 to 99 is plausible; only 00 is refused.
* positions 8-10 and 11-13, commune and order number: not checked (the key does).

Nothing here logs, and no exception message carries the number or its right key:
error messages are shown to members and may end up in conversation logs.
"""

from __future__ import annotations

import re

from stdnum.fr import nir as stdnum_nir

from bot.shared.normal_form import ASCII_DIGITS, normalized
from bot.shared.patterns import nir_spans

BODY_LENGTH = 13
KEY_LENGTH = 2
NIR_LENGTH = BODY_LENGTH + KEY_LENGTH

_ASCII_DIGITS = frozenset(ASCII_DIGITS)
# The number is read on the normal form of bot.shared.normal_form, the one masking
# reads too: every digit form (superscripts, full-width, other scripts) is its ASCII
# digit, and anything that is neither a letter nor a digit (spaces, punctuation,
# symbols such as "|" or "*", invisible characters, combining marks) only stands
# between groups. So a number this module accepts is always masked in storage.

_SEX_DIGITS = frozenset("123478")

# A prefix glued to the number ("nir184...", "sécu:...") ends with one of these words.
_GLUED_PREFIX = re.compile(r"(?:nir|ss|s[ée]cu|insee|num[ée]ro|num|no)$", re.IGNORECASE)
# "... 234 clé 56": the word before the key is not part of the number.
_KEY_WORD = re.compile(r"\s+(?:la\s+)?cl(?:é|e|ef)\s*[:=]?\s*(?=[0-9])", re.IGNORECASE)

_CHECK_CARD = "Pouvez-vous vérifier votre numéro sur votre carte Vitale ?"
_MESSAGES = {
    "empty": (
        "Pouvez-vous saisir votre numéro de Sécurité sociale ? Il compte 15 chiffres : "
        "13 chiffres, puis une clé de 2 chiffres, comme sur votre carte Vitale."
    ),
    "missing_key": (
        "Il manque la clé : les 2 derniers chiffres de votre numéro, à la fin de votre carte Vitale."
    ),
    "bad_key": (
        "La clé (les 2 derniers chiffres) ne correspond pas au reste du numéro : un chiffre a "
        "sans doute été mal tapé. Pouvez-vous vérifier votre numéro sur votre carte Vitale "
        "et le saisir à nouveau ?"
    ),
    "bad_sex": (
        "Le 1er chiffre de votre numéro ne correspond à aucun cas prévu : c'est 1 pour un homme, "
        "2 pour une femme (3, 4, 7 ou 8 pour un numéro provisoire). " + _CHECK_CARD
    ),
    "bad_month": (
        "Les 4e et 5e chiffres de votre numéro indiquent votre mois de naissance, de 01 à 12 : "
        "ceux que j'ai lus ne correspondent à aucun mois. " + _CHECK_CARD
    ),
    "bad_department": (
        "Les 6e et 7e caractères de votre numéro indiquent votre département de naissance "
        "(2A ou 2B pour la Corse, 97 ou 98 pour l'outre-mer, 99 pour une naissance à l'étranger) : "
        "ils ne peuvent pas valoir 00. " + _CHECK_CARD
    ),
}


class InvalidNir(ValueError):
    """A NIR that cannot be right; ``message`` tells the member what to fix.

    ``code`` lets callers react without parsing French: "empty", "too_short",
    "too_long", "letter", "missing_key", "bad_key", "bad_sex", "bad_month",
    "bad_department". Neither attribute ever contains the number.
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def _fail(code: str) -> InvalidNir:
    return InvalidNir(code, _MESSAGES[code])


def _ordinal(position: int) -> str:
    return "1er" if position == 1 else f"{position}e"


def _is_separator(ch: str) -> bool:
    """True for a character of the normal form that stands between digits (not a letter or digit)."""
    return not ch.isalnum()


def _core(text: str) -> str:
    """``text`` without the words around the number.

    Leading words are dropped when a separator or punctuation ends them ("n° ss :",
    "mon nir est ") or when they end with a word such as "nir" glued to the
    number. A letter glued to the digits ("A84...") is kept: it may be a typo
    *in* the number, which the member should hear about. Trailing words after a
    space ("... 56 merci") are dropped the same way.
    """
    starts = [i for i, ch in enumerate(text) if ch.isdigit()]
    if not starts:
        return text
    first, last = starts[0], starts[-1]
    lead = text[:first]
    glued = len(lead)
    while glued > 0 and lead[glued - 1].isalnum():
        glued -= 1
    start = first if _GLUED_PREFIX.search(lead[glued:]) else glued
    tail = text[last + 1 :]
    end = last + 1 if tail[:1] and not tail[0].isalnum() else len(text)
    return _KEY_WORD.sub(" ", text[start:end])


def _letter_error(position: int, ch: str) -> InvalidNir:
    """Which character is wrong, never the number itself: one letter at most is echoed."""
    where = f"Le {_ordinal(position)} caractère de votre numéro (sans compter les espaces)"
    digits_only = "un numéro de Sécurité sociale ne contient que des chiffres"
    corsica = "seul le département de naissance peut s'écrire 2A ou 2B, pour la Corse"
    if ch.isalpha():
        letter = ch.upper()
        lookalike = {"O": "0", "I": "1", "L": "1"}.get(letter)
        if lookalike is not None:
            message = (
                f"{where} est la lettre « {letter} » : {digits_only}. "
                f"Avez-vous tapé la lettre {letter} à la place du chiffre {lookalike} ?"
            )
        else:
            message = f"{where} est la lettre « {letter} » : {digits_only} ({corsica})."
    else:
        message = f"{where} n'est pas un chiffre de 0 à 9 : {digits_only} ({corsica})."
    return InvalidNir("letter", message)


def _length_error(count: int, all_digits: bool) -> InvalidNir:
    unit = ("chiffre" if all_digits else "caractère") + ("s" if count > 1 else "")
    read = (
        f"J'ai lu {count} {unit} : un numéro de Sécurité sociale en compte 15 "
        "(13 chiffres, puis une clé de 2 chiffres)."
    )
    check = "pouvez-vous vérifier votre numéro sur votre carte Vitale ?"
    if count > NIR_LENGTH:
        return InvalidNir("too_long", f"{read} Un chiffre a peut-être été tapé en trop : {check}")
    return InvalidNir("too_short", f"{read} Il en manque : {check}")


def _check_characters(chars: list[str]) -> None:
    """Refuse the first character that is not an ASCII digit, except a Corsican 2A/2B.

    "2A"/"2B" is only valid as the department (positions 6-7). Found elsewhere in
    a number of the wrong length, it is most likely a right department shifted by
    a missing or extra digit, so the length is the error worth reporting.
    """
    aligned = len(chars) in (BODY_LENGTH, NIR_LENGTH)
    for index, ch in enumerate(chars):
        if ch in _ASCII_DIGITS:
            continue
        if ch in "AB" and index > 0 and chars[index - 1] == "2" and (index == 6 or not aligned):
            continue
        raise _letter_error(index + 1, ch)


def _check_structure(body: str) -> None:
    if body[0] not in _SEX_DIGITS:
        raise _fail("bad_sex")
    month = int(body[3:5])
    if not (1 <= month <= 12 or 20 <= month <= 42 or month >= 50):
        raise _fail("bad_month")
    department = body[5:7]
    if department == "00":
        raise _fail("bad_department")


def normalize_nir(text: str) -> str:
    """The 15-character NIR in ``text``: 13-character body and 2-digit key, uppercase.

    Raises ``InvalidNir`` whose ``message`` is the French sentence to show.
    """
    text = normalized(text or "")
    if not text.strip() or not any(ch in _ASCII_DIGITS for ch in text):
        raise _fail("empty")
    chars = [ch.upper() if ch in "ab" else ch for ch in _core(text.strip()) if not _is_separator(ch)]
    if not chars:
        raise _fail("empty")
    _check_characters(chars)
    count = len(chars)
    if count not in (BODY_LENGTH, NIR_LENGTH):
        raise _length_error(count, all(ch in _ASCII_DIGITS for ch in chars))
    number = "".join(chars)
    _check_structure(number[:BODY_LENGTH])
    if count == BODY_LENGTH:
        raise _fail("missing_key")
    if not stdnum_nir.is_valid(number):
        raise _fail("bad_key")
    return number


def mask_nir(nir: str) -> str:
    """The NIR as agents may see it: sex, year and key only, e.g. "1 84 ** ** *** *** 56".

    Enough to tell two members' numbers apart on a screen, not enough to use one.
    Anything that is not a 15-character NIR is masked entirely.
    """
    number = "".join(ch for ch in normalized(nir) if not _is_separator(ch)).upper()
    if len(number) != NIR_LENGTH or not all(ch in _ASCII_DIGITS or ch in "AB" for ch in number):
        return "* ** ** ** *** *** **"
    return f"{number[0]} {number[1:3]} ** ** *** *** {number[13:]}"


def nir_typed_in(text: str) -> str | None:
    """The first valid NIR written anywhere in a free message (canonical), or None.

    For a message that is not an answer to "your number?" (a live chat with an agent):
    only what the secrets gate would mask as a NIR (``nir_spans``) is tried, and a
    number that fails the checks is ignored rather than explained.
    """
    for start, end in nir_spans(text or ""):
        try:
            return normalize_nir(text[start:end])
        except InvalidNir:
            continue
    return None
