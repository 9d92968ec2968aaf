"""``POST /chat``: the website widget's one endpoint, forwarded to Rasa's REST channel.

Why REST through our own server rather than socket.io straight to Rasa:

- The bot only ever *answers* the member: every bot message follows a member
  message, so server push buys nothing. One plain request per message: no
  socket.io handshake, no long polling (rasa-webchat 1.0.1 always starts with
  it), nothing that a corporate proxy or a phone switching networks can break
  half-way, and a retry is simply the same request again.
- The Rasa server stays on the loopback interface and is never exposed to
  browsers. It sends no CORS header, so no other site's page can read its answers.
- The page and this endpoint share an origin, so the one cross-origin defence
  lives here: a ``POST /chat`` must carry an ``Origin`` equal to the page's own
  origin (scheme and the ``Host`` it asked for), and that host must be one we
  serve (loopback names or ``RESET_URL_BASE``'s host, so a DNS-rebinding page
  cannot pass either). Anything else gets 403 before Rasa is asked anything.
- The widget is a small script of our own: no third-party JavaScript to vendor,
  audit or update, and nothing fetched from a CDN.

Members type their social-security number here: the message text and the
sender id are never logged, only sizes, statuses and exception class names.
"""

from __future__ import annotations

import http.client
import json
import logging
import re
import time
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from bot.web.routing import Request, Response, Router

logger = logging.getLogger("bot.web.chat")

CHAT_PATH = "/chat"
# A message of 2,000 characters is 8 KB at most in UTF-8 for French text, JSON included.
MAX_BODY_BYTES = 8 * 1024
MAX_MESSAGE_CHARS = 2000
# What ``crypto.getRandomValues`` gives the widget, base64url-encoded; generous bounds.
SENDER_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")
# Rasa answers in well under a second; the action server may take a few on a busy machine.
DEFAULT_TIMEOUT_SECONDS = 30.0
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
JSON_CONTENT_TYPE = "application/json; charset=utf-8"

# French messages the widget shows as they are.
ERROR_TEXTS: dict[HTTPStatus, str] = {
    HTTPStatus.BAD_REQUEST: "Votre message n'a pas pu être lu. Rechargez la page puis réessayez.",
    HTTPStatus.FORBIDDEN: "Cette demande ne vient pas de la page de discussion de Sésame : elle est refusée.",
    HTTPStatus.NOT_FOUND: "Cette adresse n'existe pas.",
    HTTPStatus.METHOD_NOT_ALLOWED: "Cette adresse ne permet pas cette action.",
    HTTPStatus.LENGTH_REQUIRED: "Votre message n'a pas pu être lu. Rechargez la page puis réessayez.",
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE: (
        f"Votre message est trop long : {MAX_MESSAGE_CHARS:,} caractères au plus. ".replace(",", "\u202f")
        + "Raccourcissez-le, puis envoyez-le de nouveau."
    ),
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE: "Votre message n'a pas pu être lu. Rechargez la page puis réessayez.",
    HTTPStatus.INTERNAL_SERVER_ERROR: "Une erreur est survenue. Réessayez dans quelques instants.",
    HTTPStatus.BAD_GATEWAY: (
        "Sésame n'a pas pu traiter ce message. Reformulez-le, ou réessayez dans quelques minutes."
    ),
    HTTPStatus.SERVICE_UNAVAILABLE: "Sésame est momentanément indisponible. Nouvelle tentative en cours…",
}
EMPTY_MESSAGE_TEXT = "Votre message est vide : écrivez votre question, puis envoyez-la."


def json_response(status: HTTPStatus, payload: dict[str, Any]) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode("utf-8")
    return Response(status, body, JSON_CONTENT_TYPE)


def error_response(status: HTTPStatus, text: str | None = None) -> Response:
    """``{"error": "<French sentence>"}`` with ``status``; 503 also says when to come back."""
    message = (
        text if text is not None else ERROR_TEXTS.get(status, ERROR_TEXTS[HTTPStatus.INTERNAL_SERVER_ERROR])
    )
    response = json_response(status, {"error": message})
    if status is HTTPStatus.SERVICE_UNAVAILABLE:
        response.headers["Retry-After"] = "2"
    return response


class RasaUnavailable(Exception):
    """Rasa could not be reached, or did not answer in time: the widget retries."""


class RasaFailed(Exception):
    """Rasa answered, but with an error or something unreadable: retrying will not help."""


def page_origin_allowed(origin: str | None, host: str | None, public_hosts: frozenset[str]) -> bool:
    """True when ``origin`` is the page's own origin and the page is one we serve.

    Browsers send ``Origin`` on every POST, same-origin included; a page on
    another site sends its own. ``Host`` is what the browser connected to, so
    ``Origin`` naming the same host and port is the same-origin test, and the
    host list stops a DNS-rebinding page (whose ``Host`` is the attacker's name).
    """
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or parts.path or parts.query or parts.fragment:
        return False
    if parts.netloc.lower() != host.strip().lower():
        return False
    hostname = parts.hostname or ""  # lower-cased, IPv6 without brackets
    return hostname in LOOPBACK_HOSTS or hostname in public_hosts


def _clean_bot_messages(raw: Any) -> list[dict[str, Any]]:
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


@dataclass
class RasaClient:
    """Posts one message to Rasa's REST webhook and returns the bot's messages."""

    webhook_url: str
    timeout: float = DEFAULT_TIMEOUT_SECONDS

    def send(self, sender: str, message: str) -> list[dict[str, Any]]:
        parts = urlsplit(self.webhook_url)
        body = json.dumps({"sender": sender, "message": message}).encode("utf-8")
        # http.client, not urllib: no *_proxy variable may send members' messages elsewhere.
        connection = http.client.HTTPConnection(
            parts.hostname or "127.0.0.1", parts.port, timeout=self.timeout
        )
        try:
            connection.request(
                "POST",
                parts.path or "/",
                body=body,
                headers={"Content-Type": "application/json", "Accept": "application/json"},
            )
            response = connection.getresponse()
            payload = response.read()
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, garbled
            raise RasaUnavailable(type(exc).__name__) from None
        finally:
            connection.close()
        if response.status in {502, 503, 504}:  # a proxy in front of Rasa, or Rasa starting up
            raise RasaUnavailable(f"HTTP {response.status}")
        if response.status != 200:
            raise RasaFailed(f"HTTP {response.status}")
        try:
            return _clean_bot_messages(json.loads(payload.decode("utf-8")))
        except (UnicodeDecodeError, ValueError):
            raise RasaFailed("unreadable answer") from None


def _parse(body: bytes) -> tuple[str, str] | Response:
    """``(sender, message)`` from the JSON body, or the French error to answer."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return error_response(HTTPStatus.BAD_REQUEST)
    if not isinstance(data, dict):
        return error_response(HTTPStatus.BAD_REQUEST)
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER_SHAPE.fullmatch(sender) or not isinstance(message, str):
        return error_response(HTTPStatus.BAD_REQUEST)
    if len(message) > MAX_MESSAGE_CHARS:
        return error_response(HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
    if not message.strip():
        return error_response(HTTPStatus.BAD_REQUEST, EMPTY_MESSAGE_TEXT)
    return sender, message


@dataclass
class ChatProxy:
    """The ``POST /chat`` handler: check, forward to Rasa, answer ``{"messages": [...]}``."""

    rasa: RasaClient
    public_hosts: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_rasa_port(
        cls, port: int, public_hosts: frozenset[str], timeout: float = DEFAULT_TIMEOUT_SECONDS
    ) -> ChatProxy:
        return cls(RasaClient(f"http://127.0.0.1:{port}/webhooks/rest/webhook", timeout), public_hosts)

    def register(self, router: Router) -> None:
        router.add("POST", re.escape(CHAT_PATH), self.handle)

    def handle(self, request: Request) -> Response:
        if not page_origin_allowed(
            request.headers.get("origin"), request.headers.get("host"), self.public_hosts
        ):
            logger.warning("chat: refused, origin not allowed")
            return error_response(HTTPStatus.FORBIDDEN)
        if request.content_type != "application/json":
            return error_response(HTTPStatus.UNSUPPORTED_MEDIA_TYPE)
        parsed = _parse(request.body)
        if isinstance(parsed, Response):
            logger.info("chat: refused, %d %s", parsed.status.value, parsed.status.phrase)
            return parsed
        sender, message = parsed
        started = time.monotonic()
        try:
            messages = self.rasa.send(sender, message)
        except RasaUnavailable as exc:
            logger.warning("chat: Rasa unavailable (%s)", exc)
            return error_response(HTTPStatus.SERVICE_UNAVAILABLE)
        except RasaFailed as exc:
            logger.error("chat: Rasa failed (%s)", exc)
            return error_response(HTTPStatus.BAD_GATEWAY)
        elapsed_ms = (time.monotonic() - started) * 1000
        logger.info(
            "chat: %d characters in, %d messages out, %.0f ms", len(message), len(messages), elapsed_ms
        )
        return json_response(HTTPStatus.OK, {"messages": messages})


__all__ = [
    "CHAT_PATH",
    "MAX_BODY_BYTES",
    "MAX_MESSAGE_CHARS",
    "ChatProxy",
    "RasaClient",
    "error_response",
    "page_origin_allowed",
]
