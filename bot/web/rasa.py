"""The client of Rasa's REST webhook: one message in, the bot's messages out.

One ``httpx.AsyncClient`` per application (created in the lifespan, so its
connections are reused), with ``trust_env=False``: no ``*_proxy`` variable or
``.netrc`` in the environment may send members' messages anywhere but to the
Rasa server on this machine.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from typing import Any

import httpx

from bot.limits.clients import network_of_address
from bot.shared.user_input import AUTOMATIC_FLAG

# The header the balancer hashes to keep a conversation on one Rasa replica.
CONVERSATION_HEADER = "X-Sesame-Conversation"
# Rasa's answer says "1" when the turn called the action server, "0" when not
# (rasa_addons.channels.ACTIONS_HEADER): only actions open hand-offs.
ACTIONS_HEADER = "X-Sesame-Actions"
# Rasa answers in well under a second; the action server may take a few on a busy machine.
DEFAULT_TIMEOUT_SECONDS = 30.0


class RasaUnavailable(Exception):
    """Rasa could not be reached, or did not answer in time: the widget retries."""


class RasaFailed(Exception):
    """Rasa answered, but with an error or something unreadable: retrying will not help."""


def webhook_url(rasa_port: int, host: str = "127.0.0.1") -> str:
    """Rasa's REST channel at ``INTERNAL_HOST`` (the machine, or the balancer in deploy/)."""
    return f"http://{host}:{rasa_port}/webhooks/rest/webhook"


def agent_parse_url(rasa_port: int, host: str = "127.0.0.1") -> str:
    """The agents' channel (``rasa_addons.agent_channel``): NLU only, for the console."""
    return f"http://{host}:{rasa_port}/webhooks/agent/parse"


def new_http_client(
    timeout: float = DEFAULT_TIMEOUT_SECONDS, transport: httpx.AsyncBaseTransport | None = None
) -> httpx.AsyncClient:
    """The application's client for Rasa; ``transport`` lets tests stand in for Rasa."""
    return httpx.AsyncClient(trust_env=False, timeout=timeout, transport=transport, follow_redirects=False)


def clean_bot_messages(raw: Any) -> list[dict[str, Any]]:
    """Keep only what the widget renders: text and buttons (title, payload), as strings."""
    if not isinstance(raw, list):
        raise RasaFailed("not a list")
    messages: list[dict[str, Any]] = []
    for item in raw:
        if not isinstance(item, dict):
            continue
        text = item.get("text")
        buttons = [
            {"title": button["title"], "payload": button["payload"]}
            for button in item.get("buttons") or []
            if isinstance(button, dict)
            and isinstance(button.get("title"), str)
            and isinstance(button.get("payload"), str)
        ]
        text = text if isinstance(text, str) else ""
        if text or buttons:
            messages.append({"text": text, "buttons": buttons})
    return messages


def client_label(client_address: str | None, key: str) -> str:
    """``web:<keyed hash of the address>.<keyed hash of its network>``: how the bot counts a
    member's look-ups, never the address.

    Keyed with the NIR key, so the label is stable across web workers and restarts but
    says nothing about the address to whoever reads the conversation store. The
    network (IPv4 /24, IPv6 /64: ``bot.limits.clients.network_of_address``) lets the
    look-up limits hold against one network's many addresses.
    """
    address = client_address or ""

    def keyed(kind: str, value: str) -> str:
        return hmac.new(key.encode(), f"{kind}|{value}".encode(), hashlib.sha256).hexdigest()

    return f"web:{keyed('address', address)[:32]}.{keyed('network', network_of_address(address))[:16]}"


@dataclass(frozen=True)
class RasaTurn:
    """The bot's messages, and whether the turn called the action server (None: not said)."""

    messages: list[dict[str, Any]]
    actions_called: bool | None = None


@dataclass
class RasaClient:
    """Posts one message to Rasa's REST webhook and returns the bot's messages.

    Each request carries ``CHANNEL_TOKEN`` (``rasa_addons.channels`` believes the client
    label only from a signed request) and the client's label in ``metadata.client``.
    """

    http: httpx.AsyncClient
    webhook_url: str
    channel_token: str = ""
    client_key: str = ""
    parse_url: str = ""

    async def send(
        self,
        sender: str,
        message: str,
        client_address: str | None,
        *,
        callback: bool = False,
        automatic: bool = False,
    ) -> list[dict[str, Any]]:
        """The bot's messages (``turn``'s)."""
        return (
            await self.turn(sender, message, client_address, callback=callback, automatic=automatic)
        ).messages

    async def turn(
        self,
        sender: str,
        message: str,
        client_address: str | None,
        *,
        callback: bool = False,
        automatic: bool = False,
    ) -> RasaTurn:
        """The bot's answer; the client's label goes along as metadata (never logged here).

        ``callback``: the member left the agents' queue to be called back (``metadata.rappel``,
        believed by ``rasa_addons.channels`` from this signed request only). ``automatic``: the
        widget's greeting on opening, not typed by the member (``metadata.automatique``, kept in
        the user event's metadata in the tracker store: ``bot.workbench.tracker.is_automatic``).
        """
        metadata: dict[str, Any] = {"client": client_label(client_address, self.client_key)}
        if callback:
            metadata["rappel"] = True
        if automatic:
            metadata[AUTOMATIC_FLAG] = True
        payload = {"sender": sender, "message": message, "metadata": metadata}
        headers = {
            "Accept": "application/json",
            "X-Sesame-Channel": self.channel_token,
            # In production mode the balancer sends a conversation to one Rasa replica,
            # chosen by consistent hashing of this header (bot/production/haproxy.py).
            CONVERSATION_HEADER: sender,
        }
        try:
            response = await self.http.post(self.webhook_url, json=payload, headers=headers)
        except httpx.RequestError as exc:  # refused, reset, timed out, garbled
            raise RasaUnavailable(type(exc).__name__) from None
        if response.status_code in {502, 503, 504}:  # a proxy in front of Rasa, or Rasa starting up
            raise RasaUnavailable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise RasaFailed(f"HTTP {response.status_code}")
        try:
            messages = clean_bot_messages(json.loads(response.content.decode("utf-8")))
        except (ValueError, RecursionError):  # UnicodeDecodeError and JSONDecodeError are ValueErrors
            raise RasaFailed("unreadable answer") from None
        said = response.headers.get(ACTIONS_HEADER)
        return RasaTurn(messages, None if said not in {"0", "1"} else said == "1")

    async def intents(self, question: str, agent_login: str) -> list[dict[str, Any]]:
        """The top intents for an agent's question: ``[{"name", "confidence"}]``, best first.

        On the agents' channel, signed with ``CHANNEL_TOKEN`` and naming the agent
        from their session; it reads the model and nothing else.
        """
        headers = {
            "Accept": "application/json",
            "X-Sesame-Channel": self.channel_token,
            "X-Sesame-Agent": agent_login,
        }
        try:
            response = await self.http.post(self.parse_url, json={"text": question}, headers=headers)
        except httpx.RequestError as exc:
            raise RasaUnavailable(type(exc).__name__) from None
        if response.status_code in {502, 503, 504}:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        if response.status_code != 200:
            raise RasaFailed(f"HTTP {response.status_code}")
        try:
            data = json.loads(response.content.decode("utf-8"))
        except (ValueError, RecursionError):
            raise RasaFailed("unreadable answer") from None
        ranked = data.get("intents") if isinstance(data, dict) else None
        if not isinstance(ranked, list):
            raise RasaFailed("no intents")
        return [
            {"name": item["name"], "confidence": float(item["confidence"])}
            for item in ranked
            if isinstance(item, dict)
            and isinstance(item.get("name"), str)
            and isinstance(item.get("confidence"), (int, float))
        ]
