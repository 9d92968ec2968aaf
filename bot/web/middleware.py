"""What every request goes through, whatever its route: plain ASGI middlewares.

Outermost first (``bot.web.app`` stacks them in this order):

- ``AccessLogMiddleware``: one log line per request, written by us rather than by
  uvicorn, so that the reset link's token (the path after the reset prefix) is
  masked before anything is logged, and the query string never is.
- ``SecurityHeadersMiddleware``: the same strict headers on every answer, errors
  included; a route may override one (the demo page's looser policy, the static
  files' cache), never drop it.
- ``CrashGuardMiddleware``: an unexpected exception becomes our French 500, and is
  logged as its class and frames only: its message may quote SQL parameters.
- ``BodyLimitMiddleware``: a body bigger than its path allows is refused before it
  is read (``Content-Length``) or as soon as it goes over (chunked bodies).

Plain ASGI rather than ``BaseHTTPMiddleware``: nothing is buffered, and an
exception cannot escape to uvicorn, which would log it with its message.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from collections.abc import Mapping

from starlette.datastructures import Headers, MutableHeaders
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.errors import error_for

logger = logging.getLogger("bot.web")
access_logger = logging.getLogger("bot.web.access")

SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "base-uri 'none'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# No version, no Python: nothing for a scanner to match against a list of flaws.
SERVER_HEADER = "Sesame"
MASK = "[masqué]"


class TokenRedactor:
    """Masks whatever follows the reset prefix: the token of a reset link is a password."""

    def __init__(self, secret_prefix: str) -> None:
        self._pattern = re.compile(re.escape(secret_prefix) + r"/[^\s\"'?]*")
        self._mask = f"{secret_prefix}/{MASK}"

    def __call__(self, text: str) -> str:
        return self._pattern.sub(self._mask, text)


class _HttpMiddleware:
    """Pure ASGI middleware for HTTP requests; anything else (lifespan) passes through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        await self.handle(scope, receive, send)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        raise NotImplementedError


class _RedactingMiddleware(_HttpMiddleware):
    """A middleware that writes paths to the log, so it masks the reset token in them."""

    def __init__(self, app: ASGIApp, redact: TokenRedactor) -> None:
        super().__init__(app)
        self.redact = redact


class AccessLogMiddleware(_RedactingMiddleware):
    """``client "METHOD /path" status duration``, with the token masked and no query string."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = time.monotonic()
        status = 0

        async def send_with_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_with_status)
        finally:
            client = scope.get("client")
            access_logger.info(
                '%s "%s %s HTTP/%s" %d %.0f ms',
                client[0] if client else "-",
                scope["method"],
                self.redact(scope["path"]),
                scope.get("http_version", "1.1"),
                status,
                (time.monotonic() - started) * 1000,
            )


class SecurityHeadersMiddleware(_HttpMiddleware):
    """Adds ``SECURITY_HEADERS`` and ``Server`` to every response that does not set its own."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in {**SECURITY_HEADERS, "Server": SERVER_HEADER}.items():
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)


class CrashGuardMiddleware(_RedactingMiddleware):
    """Turns an unexpected exception into the French 500, logging no exception message."""

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_tracking(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, send_tracking)
        except Exception as exc:
            # The class and the frames, never the message: it may quote SQL parameters.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error(
                "%s on %s %s\n%s", type(exc).__name__, scope["method"], self.redact(scope["path"]), frames
            )
            if not started:  # otherwise the client already has a status: the connection just ends
                await error_for(scope["path"], 500)(scope, receive, send)


class BodyLimitMiddleware:
    """Refuses (413) a request body over the limit of its path, before or while reading it."""

    def __init__(self, app: ASGIApp, default_limit: int, limits: Mapping[str, int]) -> None:
        self.app = app
        self.default_limit = default_limit
        self.limits = dict(limits)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in {"GET", "HEAD", "OPTIONS"}:
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default_limit)
        declared = Headers(scope=scope).get("content-length")
        if declared is not None:
            if not declared.isdigit():
                await error_for(scope["path"], 400)(scope, receive, send)
                return
            if int(declared) > limit:
                await error_for(scope["path"], 413)(scope, receive, send)
                return
        received = 0

        async def receive_within_limit() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise HTTPException(413)
            return message

        await self.app(scope, receive_within_limit, send)
