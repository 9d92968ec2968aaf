"""An agent checks the email address a caller reads out, without seeing it in full.

A conseiller sees a member's address masked (``c••••@exemple.fr``): enough to say
« c'est bien l'adresse qui commence par c ? », not enough to copy it, which matters
because a caller may not be the member. When the caller reads their address out, the
agent types it and the server says only whether it is the one on file: the address is
never sent to the browser, the one typed is neither kept nor logged, and each check is
audited (``email_checked``) and counted with the look-ups (``AGENT_LOOKUPS_PER_HOUR``),
so that guessing addresses one by one is as slow and as visible as opening files.
Superviseurs see the address in full (``bot.agents.member_file``).
"""

from __future__ import annotations

import hmac
import unicodedata

MAX_EMAIL_CHARS = 254
MATCHES = "correspond"
DIFFERS = "different"


def comparable(address: str) -> str:
    """An address as two people would agree it is the same: trimmed, lower case, NFKC."""
    return unicodedata.normalize("NFKC", address).strip().lower()


def same_address(on_file: str, typed: str) -> bool:
    """Whether ``typed`` is the address on file (compared in constant time)."""
    return hmac.compare_digest(comparable(on_file).encode(), comparable(typed).encode())
