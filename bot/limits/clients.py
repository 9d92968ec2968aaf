"""Who is asking: a keyed hash of the client's address, never the address itself.

The web tier sees the member's address and passes it to Rasa as message metadata
(keyed hashes of the address and of its network),
on a channel that checks the web tier's secret (``rasa_addons.channels``). Any
other caller of Rasa's channel (``./sesame chat``, a script on the machine) is
labelled ``direct:<its address>`` by the channel. The actions hash that label with
the NIR key before storing or counting it.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
from collections.abc import Iterable, Mapping
from typing import Any

UNKNOWN_CLIENT = "inconnu"
# One network: what one household, office or attacker's rented range usually holds.
IPV4_NETWORK_BITS = 24
IPV6_NETWORK_BITS = 64


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


def network_of_address(address: str) -> str:
    """``203.0.113.0/24`` or ``2001:db8:1:2::/64`` for an address; anything else as it is."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    bits = IPV4_NETWORK_BITS if ip.version == 4 else IPV6_NETWORK_BITS
    return str(ipaddress.ip_network(f"{ip}/{bits}", strict=False))


def network_of(client: str) -> str:
    """The label of the client's network, which the look-up limits also count.

    ``web:<address>.<network>`` (the web tier's keyed hashes) gives ``web-net:<network>``;
    ``direct:<address>`` gives ``direct-net:<its network>``; a label without a network
    (an older web tier, ``inconnu``) is its own network, as before.
    """
    if client.startswith("web:") and "." in client:
        return "web-net:" + client.rsplit(".", 1)[1]
    if client.startswith("direct:"):
        return "direct-net:" + network_of_address(client.removeprefix("direct:"))
    return client
