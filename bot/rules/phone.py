"""A French phone number, as a member types it for a call-back: checked, normalised, masked.

Accepted: ten digits starting with 0 ("06 12 34 56 78", with spaces, dots, dashes or
slashes), or the international forms "+33 6 12 34 56 78", "+33 (0)6 12…", "0033 6 12…".
Mobiles (06, 07) and landlines (01 to 05, 09) only: ACS calls back from an ordinary
line, so special and premium numbers (08…) are refused, and so are foreign ones.
The number may sit in a sentence ("c'est le 06 12 34 56 78 merci").

The number is personal data: it is kept whole only in the hand-off the agent reads
(``handoffs.callback_phone``); the member sees it masked (``mask_phone``), and the
conversation store masks it (``bot.shared.redaction``).
"""

from __future__ import annotations

import re

DIGITS = 10
MOBILE = frozenset("67")
LANDLINE = frozenset("123459")
EXAMPLE = "06 12 34 56 78"

# A number as typed: an optional "+" or "00" prefix, then digits with separators
# (spaces, dots, dashes, slashes, and "(0)" after the country code).
_CANDIDATE = re.compile(r"(?:\+\s*)?\d(?:[\s.\-/()\u00a0\u202f]*\d)*")
_LETTERS = re.compile(r"[A-Za-zÀ-ÿ]")


class InvalidPhone(ValueError):
    """The number cannot be used for a call-back; ``message`` says why, in French."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _candidates(text: str) -> list[str]:
    return [
        match.group() for match in _CANDIDATE.finditer(text) if sum(ch.isdigit() for ch in match.group()) >= 2
    ]


def normalize_phone(text: str) -> str:
    """``text``'s French phone number as ten digits ("0612345678"); ``InvalidPhone`` otherwise."""
    found = _candidates(text or "")
    if not found:
        if _LETTERS.search(text or ""):
            raise InvalidPhone(
                "Je n'ai pas trouvé de numéro de téléphone dans votre message. "
                f"Tapez-le en chiffres, par exemple {EXAMPLE}."
            )
        raise InvalidPhone(f"Tapez votre numéro de téléphone en chiffres, par exemple {EXAMPLE}.")
    if len(found) > 1:
        raise InvalidPhone(
            f"Je vois plusieurs numéros dans votre message : donnez-en un seul, par exemple {EXAMPLE}."
        )
    typed = found[0]
    international = typed.lstrip().startswith("+")
    digits = "".join(ch for ch in typed if ch.isdigit())
    if not all(ch in "0123456789" for ch in digits):
        raise InvalidPhone(f"Tapez le numéro avec les chiffres 0 à 9, par exemple {EXAMPLE}.")
    if international or digits.startswith("00"):
        rest = digits[2:] if digits.startswith("00") else digits
        if not rest.startswith("33"):
            raise InvalidPhone(
                "Je ne peux noter qu'un numéro français (qui commence par 0 ou par +33). "
                f"Donnez un numéro de portable ou de fixe en France, par exemple {EXAMPLE}."
            )
        national = rest[2:]
        if national.startswith("0") and len(national) == DIGITS:  # "+33 (0)6 12 34 56 78"
            national = national[1:]
        digits = "0" + national
    if not digits.startswith("0"):
        raise InvalidPhone(f"Un numéro français commence par 0 (ou par +33), par exemple {EXAMPLE}.")
    if len(digits) < DIGITS:
        raise InvalidPhone(
            f"Il manque des chiffres : un numéro français en a 10 ({len(digits)} ici), par exemple {EXAMPLE}."
        )
    if len(digits) > DIGITS:
        raise InvalidPhone(
            f"Il y a trop de chiffres : un numéro français en a 10 ({len(digits)} ici), "
            f"par exemple {EXAMPLE}."
        )
    kind = digits[1]
    if kind == "8":
        raise InvalidPhone(
            "Les numéros en 08 (services spéciaux, parfois surtaxés) ne peuvent pas être rappelés. "
            "Donnez un numéro de portable (06, 07) ou de fixe (01 à 05, 09)."
        )
    if kind not in MOBILE | LANDLINE:
        raise InvalidPhone(
            "Ce numéro n'existe pas en France : un portable commence par 06 ou 07, "
            f"un fixe par 01 à 05 ou 09 (par exemple {EXAMPLE})."
        )
    return digits


def is_mobile(number: str) -> bool:
    return len(number) == DIGITS and number[1] in MOBILE


def format_phone(number: str) -> str:
    """ "0612345678" -> "06 12 34 56 78" (for the agent)."""
    return " ".join(number[i : i + 2] for i in range(0, len(number), 2))


def mask_phone(number: str) -> str:
    """ "0612345678" -> "06 •• •• •• 78": the member recognises it, a reader learns nothing."""
    digits = "".join(ch for ch in number if ch.isdigit())
    if len(digits) != DIGITS:
        return "•• •• •• •• ••"
    return f"{digits[:2]} •• •• •• {digits[-2:]}"
