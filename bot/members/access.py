"""Checking an access code the way the Espace Adhérent does, with a letter's code pending.

A letter's new code does not replace the current one when the letter is printed: it
waits in ``pending_access_code_hash``. Until the member first signs in with it, the
current code keeps working, so someone who knows a member's NIR and asks for a
letter cannot lock that member out for the eight days the letter takes. The first
sign-in with the new code makes it the code; changing the code through a reset link
drops the pending one (``bot.resets.links``).
"""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from bot.db.models import Member


def _matches(hasher: PasswordHasher, stored: str | None, code: str) -> bool:
    if not stored:
        return False
    try:
        return hasher.verify(stored, code)
    except (VerificationError, InvalidHashError):
        return False


def verify_access_code(member: Member, code: str, hasher: PasswordHasher) -> bool:
    """True if ``code`` opens the member space; a pending letter code used once becomes the code.

    The caller commits (the promotion of a pending code is a change to the member).
    """
    if _matches(hasher, member.access_code_hash, code):
        return True
    if _matches(hasher, member.pending_access_code_hash, code):
        member.access_code_hash = member.pending_access_code_hash
        member.pending_access_code_hash = None
        return True
    return False
