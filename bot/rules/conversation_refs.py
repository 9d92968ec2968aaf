"""The opaque reference by which staff name a member's conversation, never its id.

A member's conversation id (the random sender id the widget draws) is the only
credential of ``POST /chat`` and ``GET /chat/flux``: whoever holds it can write as
the member to the agent and read the agent's replies. So agents and trainers never
see it; every staff-facing output (workbench and console APIs and pages, the audit
log, the command line, saved stories) shows ``ConversationRefs.of(id)`` instead.

The reference is an HMAC-SHA256 of the id under a key derived from ``NIR_HASH_KEY``
with a purpose label of its own (``PURPOSE``), so it is stable across restarts and
replicas, cannot be reversed nor computed without the server's secret, and a
reference never equals a NIR hash made with the same secret. It is cut to 50 bits,
10 characters of Crockford's base32 (no I, L, O, U: nothing to confuse on the
phone), written ``C7F3-K9QX-2M``. It is 12 characters long, and the chat accepts
only sender ids of 16 to 64 letters, digits, ``-`` and ``_``: a reference is never
a credential, typed anywhere.

To go back from a reference to its conversation, the server compares it with the
references of candidate ids it holds (the event a trainer decides on, the ids of
the conversation store): 50 bits make a collision between two live conversations
a matter of millions of conversations, and each look-up checks its candidate.
"""

from __future__ import annotations

import hashlib
import hmac

PURPOSE = b"sesame/conversation-reference/v1"
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base32
LENGTH = 10
GROUPS = (4, 4, 2)
# What a person may type for a character that is not in the alphabet (Crockford's rules).
LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})
TYPED_SEPARATORS = " -._\u00a0\u202f"


def normalize_reference(text: str) -> str | None:
    """The reference as shown (``C7F3-K9QX-2M``) for what a person typed, or None if it is not one.

    Case, spaces, dashes and dots do not matter; ``O``, ``I`` and ``L`` read as
    ``0``, ``1`` and ``1``, as Crockford's base32 says.
    """
    compact = "".join(ch for ch in text.strip().upper() if ch not in TYPED_SEPARATORS).translate(LOOK_ALIKES)
    if len(compact) != LENGTH or any(ch not in ALPHABET for ch in compact):
        return None
    return _grouped(compact)


def _grouped(compact: str) -> str:
    parts, start = [], 0
    for size in GROUPS:
        parts.append(compact[start : start + size])
        start += size
    return "-".join(parts)


class ConversationRefs:
    """Turns conversation ids into staff references, under the server's secret."""

    def __init__(self, secret: str) -> None:
        self._key = hmac.new(secret.encode("utf-8"), PURPOSE, hashlib.sha256).digest()

    def of(self, conversation_id: str) -> str:
        """The reference of a conversation id: the first 50 bits of its HMAC, in base32."""
        digest = hmac.new(self._key, conversation_id.encode("utf-8"), hashlib.sha256).digest()
        bits = int.from_bytes(digest[:8], "big") >> (64 - 5 * LENGTH)
        compact = "".join(ALPHABET[(bits >> (5 * (LENGTH - 1 - i))) & 31] for i in range(LENGTH))
        return _grouped(compact)

    def matches(self, conversation_id: str, typed_reference: str) -> bool:
        """Whether a typed reference names this conversation (in constant time)."""
        wanted = normalize_reference(typed_reference)
        return wanted is not None and hmac.compare_digest(self.of(conversation_id), wanted)

    def shown(self, value: str) -> str:
        """What staff may see for a value that may be an id (old audit lines) or already a reference."""
        return normalize_reference(value) or self.of(value)
