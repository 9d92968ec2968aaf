"""The personal access code rules, in one place.

The help document states the first rule: the personalised access code is exactly 6
digits. Six digits are all that guards the member space (with only a CAPTCHA after
3 failures), so a code that is easy to guess is refused too (issue #9): the same
digit six times, digits that follow each other, a repeated pair or triple, one of
the most common 6-digit codes (``common_codes.txt``), or a date in the member's
birth month and year (which the NIR gives away), or 6 consecutive digits of the
member's own NIR (issue 20 #9; the caller answers that one, ``bot.rules.nir_windows``,
as only keyed hashes of the NIR are kept). Each refusal says precisely why.
The bot explains these rules, the reset page enforces them and the letters' codes
obey them: all read them from here so they cannot drift apart.

"Digits" means the ASCII digits 0-9 only: other scripts' digits (Arabic-Indic,
fullwidth...) pass ``str.isdigit`` but the Espace Adhérent would not accept them.
No message ever repeats the code the member typed.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ACCESS_CODE_LENGTH = 6
COMMON_CODES_FILE = Path(__file__).with_name("common_codes.txt")

RULE_TEXT = f"Votre code d'accès personnalisé se compose d'exactement {ACCESS_CODE_LENGTH} chiffres."

_ASCII_DIGITS = frozenset("0123456789")


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count > 1 else ''}"


def _character_error(code: str) -> str | None:
    """What is wrong with the first character that is not an ASCII digit, if any."""
    for ch in code:
        if ch in _ASCII_DIGITS:
            continue
        if ch.isspace():
            return (
                "Votre code d'accès ne doit pas contenir d'espace : "
                f"saisissez ses {ACCESS_CODE_LENGTH} chiffres à la suite."
            )
        if ch.isdigit():
            return (
                "Votre code d'accès contient un chiffre d'un autre alphabet : "
                "saisissez-le avec les chiffres de 0 à 9 de votre clavier."
            )
        if ch.isalpha():
            return "Votre code d'accès ne doit contenir que des chiffres, sans lettre. " + RULE_TEXT
        return (
            "Votre code d'accès ne doit contenir que des chiffres de 0 à 9, "
            "sans symbole ni signe de ponctuation. " + RULE_TEXT
        )
    return None


GUESSABLE_TEXT = (
    "Il ne doit pas être facile à deviner : pas six fois le même chiffre, pas de chiffres "
    "qui se suivent, pas de motif répété, pas un code très courant, ni votre date de naissance "
    "ni six chiffres de votre numéro de Sécurité sociale."
)


@dataclass(frozen=True)
class BirthMonth:
    """The member's birth month and the last two digits of the year, as the NIR gives them."""

    year2: int  # 0-99: the century is not in the NIR
    month: int  # 1-12

    @classmethod
    def from_nir(cls, nir: str) -> BirthMonth | None:
        """From a canonical NIR (``bot.rules.nir.normalize_nir``); None when the month is unknown."""
        year, month = int(nir[1:3]), int(nir[3:5])
        return cls(year, month) if 1 <= month <= 12 else None


@functools.cache
def common_codes() -> frozenset[str]:
    """The bundled list of the most common 6-digit codes (one per line, ``#`` comments)."""
    lines = COMMON_CODES_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def _steps(code: str) -> set[int]:
    return {(int(b) - int(a)) % 10 for a, b in itertools.pairwise(code)}


def _birth_dates(birth: BirthMonth) -> set[str]:
    """Every 6-digit way of writing a day of that month and year (DDMMYY, YYMMDD, MMYYYY…)."""
    mm, yy = f"{birth.month:02d}", f"{birth.year2:02d}"
    written = {f"{mm}19{yy}", f"{mm}20{yy}", f"19{yy}{mm}", f"20{yy}{mm}"}
    for day in range(1, 32):
        dd = f"{day:02d}"
        written |= {f"{dd}{mm}{yy}", f"{yy}{mm}{dd}", f"{mm}{dd}{yy}"}
    return written


TAKEN_FROM_NIR_TEXT = (
    "Votre code d'accès reprend des chiffres de votre numéro de Sécurité sociale, "
    "que d'autres peuvent connaître : choisissez-en un autre."
)


def guessable_reason(
    code: str, birth: BirthMonth | None = None, taken_from_nir: Callable[[str], bool] | None = None
) -> str | None:
    """Why six ASCII digits are too easy to guess, in French; None if they are not.

    ``taken_from_nir`` says whether the code is 6 consecutive digits of the member's NIR.
    """
    if len(set(code)) == 1:
        return "Votre code d'accès ne doit pas répéter six fois le même chiffre : choisissez-en un autre."
    if _steps(code) in ({1}, {9}):
        return (
            "Votre code d'accès ne doit pas être une suite de chiffres qui se suivent, "
            "en montant ou en descendant : choisissez-en un autre."
        )
    if code[:2] * 3 == code or code[:3] * 2 == code:
        return (
            "Votre code d'accès ne doit pas répéter un même groupe de deux ou trois chiffres : "
            "choisissez-en un autre."
        )
    if code in common_codes():
        return (
            "Votre code d'accès fait partie des codes les plus utilisés, donc les plus faciles à deviner : "
            "choisissez-en un autre."
        )
    if birth is not None and code in _birth_dates(birth):
        return (
            "Votre code d'accès ressemble à votre date de naissance, que d'autres peuvent connaître : "
            "choisissez-en un autre."
        )
    if taken_from_nir is not None and taken_from_nir(code):
        return TAKEN_FROM_NIR_TEXT
    return None


def check_new_code(
    code: str,
    confirmation: str,
    birth: BirthMonth | None = None,
    taken_from_nir: Callable[[str], bool] | None = None,
) -> str | None:
    """None if ``code`` can become the member's access code, else the French reason.

    ``confirmation`` is the second entry of the same code; it is only compared once
    the code itself is acceptable, so the member fixes one thing at a time.
    ``birth`` (from the member's record) adds the birth-date check, ``taken_from_nir``
    the check against the member's NIR.
    """
    if not code:
        return f"Veuillez saisir votre nouveau code d'accès : {ACCESS_CODE_LENGTH} chiffres."
    character_error = _character_error(code)
    if character_error is not None:
        return character_error
    if len(code) != ACCESS_CODE_LENGTH:
        return (
            f"Vous avez saisi {_plural(len(code), 'chiffre')} : "
            f"votre code d'accès doit en compter exactement {ACCESS_CODE_LENGTH}."
        )
    guessable = guessable_reason(code, birth, taken_from_nir)
    if guessable is not None:
        return guessable
    if not confirmation:
        return "Veuillez saisir une seconde fois votre nouveau code d'accès pour le confirmer."
    if confirmation != code:
        return (
            "Les deux saisies de votre code d'accès ne sont pas identiques : "
            "saisissez le même code deux fois."
        )
    return None
