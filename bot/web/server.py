"""The HTTP server: standard library only, one thread per request, strict headers.

``http.server`` is enough for a few low-traffic pages, keeps env B free of a web
framework, and is wrapped here so handlers never see sockets. Every response
gets the same security headers; the reset link's token is in the URL, so it is
masked in every log line and the pages forbid sending it on as a Referer.
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import traceback
from http import HTTPStatus
from http.cookies import CookieError, SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import FrameType
from urllib.parse import unquote, urlsplit

from sqlalchemy import Engine

from bot.db.engine import make_engine
from bot.settings import Settings, load_settings
from bot.web import chat_proxy, demo_page, templates
from bot.web.reset_page import ResetPage
from bot.web.routing import Request, Response, Router

logger = logging.getLogger("bot.web")

STATIC_DIR = Path(__file__).resolve().parent / "static"
DEFAULT_RESET_PATH = "/reinitialiser"
# Our forms are a few short fields; anything bigger is refused before it is read.
MAX_BODY_BYTES = 4096
# Paths that take more, and answer their errors in JSON (the chat widget reads them).
JSON_BODY_LIMITS: dict[str, int] = {chat_proxy.CHAT_PATH: chat_proxy.MAX_BODY_BYTES}
STATIC_TYPES = {".css": "text/css; charset=utf-8", ".js": "text/javascript; charset=utf-8"}
# Seconds a client may stay silent mid-request before its thread is freed.
REQUEST_TIMEOUT = 15

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


class WebServer(ThreadingHTTPServer):
    """A threading server that knows its router and how to mask tokens in logs."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], router: Router, secret_path_prefix: str) -> None:
        self.router = router
        self._secret_path = re.compile(re.escape(secret_path_prefix) + r"/[^\s\"'?]*")
        self._mask = secret_path_prefix + "/[masqué]"
        super().__init__(address, _Handler)

    def redact(self, text: str) -> str:
        """``text`` with anything after the reset prefix (the token) masked."""
        return self._secret_path.sub(self._mask, text)


def _error(status: HTTPStatus, path: str = "") -> Response:
    if path in JSON_BODY_LIMITS:
        return chat_proxy.error_response(status)
    return Response(status, templates.error_page(status))


class _Handler(BaseHTTPRequestHandler):
    server: WebServer
    server_version = "Sesame"
    sys_version = ""
    timeout = REQUEST_TIMEOUT

    def version_string(self) -> str:
        """No Python version in the ``Server`` header."""
        return self.server_version

    def do_GET(self) -> None:
        self._dispatch(send_body=True)

    def do_HEAD(self) -> None:
        self._dispatch(send_body=False)

    def do_POST(self) -> None:
        self._dispatch(send_body=True)

    def _dispatch(self, send_body: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        match = self.server.router.resolve(self.command, path)
        if isinstance(match, HTTPStatus):
            self._send(_error(match, path), send_body)
            return
        body = b""
        if self.command == "POST":
            read = self._read_body(JSON_BODY_LIMITS.get(path, MAX_BODY_BYTES))
            if isinstance(read, HTTPStatus):
                self.close_connection = True
                self._send(_error(read, path), send_body)
                return
            body = read
        request = Request(
            method=self.command,
            path=path,
            headers={name.lower(): value for name, value in self.headers.items()},
            cookies=self._cookies(),
            body=body,
            content_type=self.headers.get("Content-Type", "").split(";")[0].strip().lower(),
            params=match.params,
        )
        try:
            response = match.handler(request)
        except Exception as exc:
            # The class and the frames, never the message: it may quote SQL parameters.
            frames = "".join(traceback.format_tb(exc.__traceback__))
            logger.error(
                "%s on %s %s\n%s", type(exc).__name__, self.command, self.server.redact(path), frames
            )
            response = _error(HTTPStatus.INTERNAL_SERVER_ERROR, path)
        self._send(response, send_body)

    def _read_body(self, limit: int) -> bytes | HTTPStatus:
        raw_length = self.headers.get("Content-Length")
        if raw_length is None:
            return HTTPStatus.LENGTH_REQUIRED
        try:
            length = int(raw_length)
        except ValueError:
            return HTTPStatus.BAD_REQUEST
        if length < 0:
            return HTTPStatus.BAD_REQUEST
        if length > limit:
            return HTTPStatus.REQUEST_ENTITY_TOO_LARGE
        body = self.rfile.read(length)
        return body if len(body) == length else HTTPStatus.BAD_REQUEST

    def _cookies(self) -> dict[str, str]:
        jar: SimpleCookie = SimpleCookie()
        try:
            jar.load(self.headers.get("Cookie", ""))
        except CookieError:
            return {}
        return {name: morsel.value for name, morsel in jar.items()}

    def _send(self, response: Response, send_body: bool) -> None:
        headers = {
            **SECURITY_HEADERS,
            "Content-Type": response.content_type,
            "Content-Length": str(len(response.body)),
            **response.headers,
        }
        self.send_response(response.status)
        for name, value in headers.items():
            self.send_header(name, value)
        for cookie in response.cookies:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        if send_body:
            self.wfile.write(response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Protocol errors (bad request line, unknown method...) get our page and headers too."""
        self.log_error("code %d, message %s", code, message)
        self.close_connection = True
        self._send(_error(HTTPStatus(code)), send_body=self.command != "HEAD")

    def log_message(self, format: str, *args: object) -> None:
        message = format % args
        raw_path = getattr(self, "path", "")
        if raw_path:
            message = message.replace(raw_path, unquote(urlsplit(raw_path).path))
        logger.info("%s %s", self.address_string(), self.server.redact(message))


def _static_files() -> dict[str, tuple[bytes, str]]:
    """Read once at start-up: nothing is fetched from disk or the network per request."""
    return {
        path.name: (path.read_bytes(), STATIC_TYPES[path.suffix])
        for path in sorted(STATIC_DIR.iterdir())
        if path.suffix in STATIC_TYPES
    }


def build_router(engine: Engine, settings: Settings) -> tuple[Router, str]:
    """Every route of the site, and the reset prefix (whose tail is secret)."""
    base = urlsplit(settings.reset_url_base)
    prefix = base.path.rstrip("/") or DEFAULT_RESET_PATH
    router = Router()
    # The demo page: an ACS member-space login page with the chat widget in its corner.
    router.add("GET", "/", lambda _request: demo_page.response())
    # Browsers ask for it on every page; an empty answer keeps 404s out of the log.
    router.add("GET", "/favicon.ico", lambda _request: Response(HTTPStatus.NO_CONTENT, b""))
    static = _static_files()

    def serve_static(request: Request) -> Response:
        found = static.get(request.params["name"])
        if found is None:
            return _error(HTTPStatus.NOT_FOUND)
        content, content_type = found
        return Response(
            HTTPStatus.OK, content, content_type, headers={"Cache-Control": "public, max-age=3600"}
        )

    router.add("GET", r"/static/(?P<name>[a-z0-9-]+\.(?:css|js))", serve_static)
    ResetPage(engine, prefix, secure_cookie=base.scheme == "https").register(router)
    public_hosts = frozenset({base.hostname} if base.hostname else set())
    chat_proxy.ChatProxy.for_rasa_port(settings.rasa_port, public_hosts).register(router)
    return router, prefix


def make_server(host: str, port: int, engine: Engine, settings: Settings) -> ThreadingHTTPServer:
    """A bound server (port 0 picks a free one); call ``serve_forever`` to run it."""
    router, prefix = build_router(engine, settings)
    return WebServer((host, port), router, prefix)


def serve(settings: Settings | None = None, host: str = "127.0.0.1") -> None:
    """Run until SIGINT or SIGTERM, then finish the requests in flight and close."""
    settings = settings if settings is not None else load_settings()
    engine = make_engine(settings.database_url)
    server = make_server(host, settings.web_port, engine, settings)

    def stop(signum: int, _frame: FrameType | None) -> None:
        logger.info("signal %s received, stopping", signal.Signals(signum).name)
        # shutdown() waits for serve_forever() to return, so it cannot run on this thread.
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    host_shown, port_shown = server.server_address[:2]
    logger.info("Sésame web pages on http://%s:%s/", host_shown, port_shown)
    try:
        server.serve_forever()
    finally:
        server.server_close()
        engine.dispose()
