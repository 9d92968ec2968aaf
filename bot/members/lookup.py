"""Finding a member: the keyed NIR hash, and the one look-up everyone uses.

The NIR is personal data that must not sit in our database: a member is stored and
found by ``hash_nir``, an HMAC keyed with NIR_HASH_KEY (a plain SHA-256 of a
15-digit number with a known structure could be reversed by brute force; the key
makes that impossible without the key). Hashing the canonical form means every
spelling of the same NIR (spaces, dots, dashes) finds the same member.
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.models import Member
from bot.rules.nir import normalize_nir


def hash_nir(nir: str, key: str) -> str:
    """HMAC-SHA256 (hex) of the canonical NIR; raises ``InvalidNir`` if ``nir`` is not one."""
    canonical = normalize_nir(nir)
    return hmac.new(key.encode("utf-8"), canonical.encode("ascii"), hashlib.sha256).hexdigest()


def find_by_ref(session: Session, member_ref: str) -> Member | None:
    """The member whose keyed NIR hash is ``member_ref``; ``None`` if ACS does not know it."""
    return session.scalars(select(Member).where(Member.nir_hash == member_ref)).one_or_none()


def find_member(session: Session, nir_text: str, key: str) -> Member | None:
    """The member with this NIR, however it is spelled; ``None`` if ACS does not know it.

    An invalid NIR raises ``InvalidNir`` rather than returning ``None``: "this is not
    a NIR" and "this NIR is not a member" call for different answers to the member.
    """
    return find_by_ref(session, hash_nir(nir_text, key))
