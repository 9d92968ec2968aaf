"""Is a 6-digit code taken from the member's own NIR? Answered without keeping the NIR.

Issue 20 #9: codes such as the NIR's first six digits (sex, year, month of birth),
its last six, or any six in between were accepted. Anyone who knows the member's NIR
(an employer, a relative, a stolen card) would guess such a code at once.

The member database keeps the NIR only as a keyed hash (``bot.members.lookup``), and
on the reset page the member types no NIR. So when the NIR is known in clear (the
import of ACS's member file), we keep the keyed hash of every run of 6 consecutive
digits of it (``Member.nir_window_hashes``), never the digits; a chosen or generated
code is refused when its keyed hash is among them. Each hash is an HMAC keyed with
NIR_HASH_KEY and prefixed by its purpose, so it matches neither the NIR's hash nor
any other: without the key, nobody can test the 10^6 possible codes against it.
Members imported before these hashes existed get them the first time their NIR is
proved in clear again: typed in the chat or by an agent (``remember_windows``).
Corsican NIRs (2A, 2B) count twice: the digits around the letter as written, and the
numeric form the key is computed on (2A → 19, 2B → 18).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from typing import Protocol

from bot.rules.access_code import ACCESS_CODE_LENGTH
from bot.rules.nir import normalize_nir

_PURPOSE = b"nir-window:"
_CORSICA = {"2A": "19", "2B": "18"}


def _digit_windows(canonical: str) -> set[str]:
    """Every run of ``ACCESS_CODE_LENGTH`` consecutive digits, as written and in numeric form."""
    numeric = canonical[:5] + _CORSICA.get(canonical[5:7], canonical[5:7]) + canonical[7:]
    windows: set[str] = set()
    for text in (canonical, numeric):
        for run in re.findall(r"[0-9]+", text):
            windows |= {run[i : i + ACCESS_CODE_LENGTH] for i in range(len(run) - ACCESS_CODE_LENGTH + 1)}
    return windows


def window_hash(code: str, key: str) -> str:
    """The keyed hash of six digits, as stored for a NIR's windows and compared for a code."""
    return hmac.new(key.encode("utf-8"), _PURPOSE + code.encode("ascii"), hashlib.sha256).hexdigest()


def nir_window_hashes(nir: str, key: str) -> list[str]:
    """The keyed hashes of every 6 consecutive digits of ``nir`` (any spelling), sorted."""
    return sorted(window_hash(window, key) for window in _digit_windows(normalize_nir(nir)))


def taken_from_nir(code: str, stored: list[str] | None, key: str) -> bool:
    """True when ``code`` (six ASCII digits) is 6 consecutive digits of the NIR behind ``stored``."""
    return bool(stored) and code.isascii() and window_hash(code, key) in set(stored or ())


class _HasWindows(Protocol):
    nir_window_hashes: list[str] | None


def remember_windows(member: _HasWindows, nir: str, key: str) -> None:
    """Give ``member`` (found by ``nir``) its windows' hashes if it has none yet."""
    if member.nir_window_hashes is None:
        member.nir_window_hashes = nir_window_hashes(nir, key)
