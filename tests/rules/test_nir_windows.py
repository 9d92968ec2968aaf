"""Codes taken from the member's NIR (issue 20 #9), checked against keyed hashes only."""

from __future__ import annotations

import random

from bot.rules.nir_windows import nir_window_hashes, taken_from_nir
from tests.support.nirs import with_key

KEY = "cle-de-test"
# Where the demo member's codes came from in "2 91 09 75 006 373 88": 291097 (first
# six), 750063, 006373 and 637388 (last six), as offsets into the 15 digits.
ATTACK_OFFSETS = (0, 5, 7, 9)


def generated_nir(seed: int, department: str = "75") -> str:
    """A NIR valid by checksum with the demo member's structure, never a real one."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not a secret
    body = f"2{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{department}{rng.randint(1, 990):03d}"
    return with_key(body + f"{rng.randint(1, 999):03d}")


def test_every_six_digit_run_of_the_nir_is_recognised_from_its_hashes_only() -> None:
    for seed in range(50):
        nir = generated_nir(seed)
        stored = nir_window_hashes(nir, KEY)
        assert not any(nir[i : i + 6] in "".join(stored) for i in range(10))  # no digits kept
        for offset in range(10):
            assert taken_from_nir(nir[offset : offset + 6], stored, KEY)
        spaced = " ".join([nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]])
        assert nir_window_hashes(spaced, KEY) == stored


def test_other_codes_other_keys_and_unknown_nirs_are_not_refused() -> None:
    nir = generated_nir(1)
    stored = nir_window_hashes(nir, KEY)
    outside = next(f"{n:06d}" for n in range(10**6) if f"{n:06d}" not in nir)
    assert not taken_from_nir(outside, stored, KEY)
    assert not taken_from_nir(nir[:6], stored, "une-autre-cle")
    assert not taken_from_nir(nir[:6], None, KEY)


def test_corsican_nirs_count_their_digits_as_written_and_as_numbers() -> None:
    nir = generated_nir(3, department="2A")
    stored = nir_window_hashes(nir, KEY)
    numeric = nir[:5] + "19" + nir[7:]
    assert taken_from_nir(nir[7:13], stored, KEY)  # digits after the letter, as written
    assert taken_from_nir(numeric[2:8], stored, KEY)  # across "2A" read as 19
