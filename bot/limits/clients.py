"""Who is asking: a keyed hash of the client's address, never the address itself.

The web tier sees the member's address and passes it to Rasa as message metadata,
on a channel that checks the web tier's secret (``rasa_addons.channels``). Any
other caller of Rasa's channel (``./sesame chat``, a script on the machine) is
labelled ``direct:<its address>`` by the channel. The actions hash that label with
the NIR key before storing or counting it.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from typing import Any

UNKNOWN_CLIENT = "inconnu"


def client_hash(client: str, key: str) -> str:
    """HMAC-SHA256 (hex) of the client label: stable, comparable, not reversible without the key."""
    return hmac.new(key.encode("utf-8"), f"client|{client}".encode(), hashlib.sha256).hexdigest()


def client_of(events: Iterable[Mapping[str, Any]]) -> str:
    """The client label of the latest member message, from the events Rasa sent.

    Metadata is set by our channel only (it replaces whatever a caller sends), so
    it is read from the latest ``user`` event; without one, every such call shares
    the ``inconnu`` label and its limits.
    """
    latest = None
    for event in events:
        if event.get("event") == "user":
            latest = event
    metadata = (latest or {}).get("metadata") or {}
    client = metadata.get("client") if isinstance(metadata, Mapping) else None
    return client if isinstance(client, str) and 0 < len(client) <= 200 else UNKNOWN_CLIENT
