"""The personal access code rule, in one place.

The help document states a single rule: the personalised access code is exactly 6
digits. The bot explains it and the reset page enforces it; both read it from
here so they cannot drift apart. No other rule (forbidden sequences, repeated
digits...) is added: the Espace Adhérent does not state one, and a member refused
for a rule nobody told them about would be stuck.

"Digits" means the ASCII digits 0-9 only: other scripts' digits (Arabic-Indic,
fullwidth...) pass ``str.isdigit`` but the Espace Adhérent would not accept them.
No message ever repeats the code the member typed.
"""

from __future__ import annotations

ACCESS_CODE_LENGTH = 6

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


def check_new_code(code: str, confirmation: str) -> str | None:
    """None if ``code`` can become the member's access code, else the French reason.

    ``confirmation`` is the second entry of the same code; it is only compared once
    the code itself is acceptable, so the member fixes one thing at a time.
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
    if not confirmation:
        return "Veuillez saisir une seconde fois votre nouveau code d'accès pour le confirmer."
    if confirmation != code:
        return (
            "Les deux saisies de votre code d'accès ne sont pas identiques : "
            "saisissez le même code deux fois."
        )
    return None
