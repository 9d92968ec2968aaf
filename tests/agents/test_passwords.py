"""The agents' password policy and Argon2 hashing."""

from __future__ import annotations

from typing import Literal

import pytest
from argon2 import PasswordHasher

from bot.agents import passwords
from bot.agents.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PasswordRefused,
    check_policy,
    common_passwords,
    hash_password,
    verify_password,
)
from tests.agents.conftest import PASSWORD


def test_a_long_uncommon_password_is_accepted() -> None:
    check_policy("x" * (MIN_LENGTH - 4) + "9a!b", "claire")


def test_eleven_characters_are_too_short_twelve_are_enough() -> None:
    with pytest.raises(PasswordRefused, match="trop court : 12 caractères au moins"):
        check_policy("k7#pL2@wQz9", "claire")
    check_policy("k7#pL2@wQz9!", "claire")


def test_length_counts_characters_not_bytes() -> None:
    with pytest.raises(PasswordRefused, match="trop court"):
        check_policy("é" * (MIN_LENGTH - 1), "claire")  # 22 bytes in UTF-8, 11 characters
    check_policy("é" * MIN_LENGTH, "claire")


def test_an_overlong_password_is_refused() -> None:
    with pytest.raises(PasswordRefused, match="trop long : 256 caractères au plus"):
        check_policy("a1" * (MAX_LENGTH // 2) + "z", "claire")


@pytest.mark.parametrize("password", ["motdepasse123", "AZERTYUIOP123", "Password1234", "123456789012"])
def test_a_password_of_the_bundled_list_is_refused_whatever_its_case(password: str) -> None:
    with pytest.raises(PasswordRefused, match="trop courant"):
        check_policy(password, "claire")


def test_the_bundled_list_is_read_without_its_comments() -> None:
    listed = common_passwords()
    assert "motdepasse123" in listed
    assert not any(word.startswith("#") for word in listed)
    assert all(len(word) >= MIN_LENGTH for word in listed)  # shorter ones are refused by length already


@pytest.mark.parametrize("password", ["claire-2026-bureau", "MonCLAIREmotdepasse", "xxCLAIRExxxx"])
def test_a_password_containing_the_login_is_refused(password: str) -> None:
    with pytest.raises(PasswordRefused, match="ne doit pas contenir l'identifiant"):
        check_policy(password, "claire")


def test_the_hash_is_argon2_and_verifies_only_the_same_password() -> None:
    stored = hash_password(PASSWORD)
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored
    assert hash_password(PASSWORD) != stored  # salted
    assert verify_password(stored, PASSWORD)
    assert not verify_password(stored, PASSWORD + "x")
    assert not verify_password(stored, PASSWORD.upper())


def test_a_damaged_hash_or_an_overlong_password_verifies_nothing() -> None:
    assert not verify_password("pas un hash argon2", PASSWORD)
    assert not verify_password(hash_password(PASSWORD), PASSWORD + "a" * MAX_LENGTH)


class CountingHasher(PasswordHasher):
    def __init__(self) -> None:
        super().__init__()
        self.verified = 0

    def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:
        self.verified += 1
        return super().verify(hash, password)


def test_an_unknown_login_costs_an_argon2_verification_and_never_matches(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "hasher", lambda: counting)
    assert not verify_password(None, PASSWORD)
    assert counting.verified == 1
    # Not even the decoy's own text opens an unknown login.
    assert not verify_password(None, "leurre : aucun agent n'a ce mot de passe")
    assert counting.verified == 2
