"""Agents' passwords: the policy, and Argon2 hashing.

The policy is the one NIST SP 800-63B recommends rather than composition rules:
long enough (``MIN_LENGTH``), not a well-known password (a small bundled list,
``common_passwords.txt``, compared without case), and not the login itself.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 256  # Argon2 takes any length; this only bounds the work a request can ask for
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")


class PasswordRefused(ValueError):
    """The password does not meet the policy; the message says why, in French."""


@lru_cache(maxsize=1)
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().casefold() for line in lines if line.strip() and not line.startswith("#"))


def check_policy(password: str, login: str) -> None:
    """Raise ``PasswordRefused`` unless ``password`` may be an agent's password."""
    if len(password) < MIN_LENGTH:
        raise PasswordRefused(f"Mot de passe trop court : {MIN_LENGTH} caractères au moins.")
    if len(password) > MAX_LENGTH:
        raise PasswordRefused(f"Mot de passe trop long : {MAX_LENGTH} caractères au plus.")
    folded = password.casefold()
    if folded in common_passwords():
        raise PasswordRefused("Ce mot de passe est trop courant : choisissez-en un autre.")
    if login and login.casefold() in folded:
        raise PasswordRefused("Le mot de passe ne doit pas contenir l'identifiant.")


@lru_cache(maxsize=1)
def hasher() -> PasswordHasher:
    return PasswordHasher()


def hash_password(password: str) -> str:
    return hasher().hash(password)


@lru_cache(maxsize=1)
def _decoy_hash() -> str:
    """A hash that no password matches, verified for unknown logins to spend the same time."""
    return hasher().hash("leurre : aucun agent n'a ce mot de passe")


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches; an unknown login (``None``) costs the same Argon2 time."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return hasher().verify(password_hash or _decoy_hash(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False
