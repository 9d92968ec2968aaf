"""Single-use tokens for reset links: random, at least 128 bits, stored only as a hash."""

from __future__ import annotations

import hashlib
import secrets

TOKEN_BYTES = 32  # 256 bits of randomness


def hash_token(token: str) -> str:
    """What the database keeps of a token: its SHA-256, in hex."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def mint_token() -> tuple[str, str]:
    """A new URL-safe token and its hash. The token itself goes only into the email."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, hash_token(token)
