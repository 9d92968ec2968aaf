"""``POST /chat`` and the demo page, through the real web server on a free port.

A small HTTP server stands in for Rasa's REST webhook: it records what it is
sent and answers what each test asks. The real Rasa is the browser test's job
(tests/browser/).
"""

from __future__ import annotations

import html as html_module
import http.client
import json
import logging
import re
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import create_engine

from bot.settings import Settings
from bot.web import chat_proxy, demo_page
from bot.web.chat_proxy import (
    MAX_BODY_BYTES,
    MAX_MESSAGE_CHARS,
    ChatProxy,
    RasaClient,
    page_origin_allowed,
)
from bot.web.routing import Request
from bot.web.server import STATIC_DIR
from tests.support.web_server import running_server

SENDER = "Zq3-x_9bT4mWkLpR2sYvN8cA"
SECRET_TEXT = "mon numero 2 91 09 75 006 373 88 et mon code 482913"  # noqa: S105 - a test message
PUBLIC_HOST = "sesame.acs.example"
BOT_ANSWER: list[dict[str, Any]] = [
    {
        "recipient_id": SENDER,
        "text": "Pas d'inquiétude, vous pouvez obtenir un nouveau code d'accès.",
    },
    {
        "recipient_id": SENDER,
        "text": "Je lance la demande ?",
        "buttons": [
            {"title": "Oui, recevoir un nouveau code", "payload": "/affirm"},
            {"title": "Non merci", "payload": "/deny", "extra": "dropped"},
            {"title": 3, "payload": "/odd"},
        ],
        "custom": {"html": "<b>never forwarded</b>"},
    },
    {"recipient_id": SENDER, "image": "https://example.org/cat.png"},
]


@dataclass
class FakeRasa:
    """Rasa's REST webhook, as far as the proxy can tell."""

    port: int
    received: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: bytes = json.dumps(BOT_ANSWER).encode()
    delay: float = 0.0


@pytest.fixture
def rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa(port=0)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            fake.received.append(json.loads(self.rfile.read(length)))
            time.sleep(fake.delay)
            try:
                self.send_response(fake.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(fake.body)))
                self.end_headers()
                self.wfile.write(fake.body)
            except OSError:  # the proxy gave up waiting (timeout test)
                pass

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.port = server.server_address[1]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield fake
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def _serve(rasa_port: int) -> Iterator[int]:
    settings = Settings.from_values(
        {"RASA_PORT": str(rasa_port), "RESET_URL_BASE": f"https://{PUBLIC_HOST}/reinitialiser"}
    )
    with running_server(create_engine("sqlite://"), settings) as port:
        yield port


@pytest.fixture
def web(rasa: FakeRasa) -> Iterator[int]:
    yield from _serve(rasa.port)


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Answer:
    status: int
    headers: Message
    body: bytes

    def json(self) -> Any:
        assert self.headers["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(self.body)


def request(
    port: int,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> Answer:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sent = {"Host": f"127.0.0.1:{port}", **(headers or {})}
    connection.request(method, path, body=body, headers=sent)
    response = connection.getresponse()
    answer = Answer(response.status, response.msg, response.read())
    connection.close()
    return answer


def chat(
    port: int, payload: object, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> Answer:
    sent = {"Origin": f"http://127.0.0.1:{port}", "Content-Type": "application/json", **(headers or {})}
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()  # as browsers do
    return request(port, "POST", chat_proxy.CHAT_PATH, body, sent)


# --- forwarding -----------------------------------------------------------------------


def test_message_is_forwarded_and_the_answer_kept_to_text_and_buttons(web: int, rasa: FakeRasa) -> None:
    answer = chat(web, {"sender": SENDER, "message": "j'ai oublié mon code d'accès"})
    assert answer.status == 200
    assert rasa.received == [{"sender": SENDER, "message": "j'ai oublié mon code d'accès"}]
    assert answer.json() == {
        "messages": [
            {"text": "Pas d'inquiétude, vous pouvez obtenir un nouveau code d'accès.", "buttons": []},
            {
                "text": "Je lance la demande ?",
                "buttons": [
                    {"title": "Oui, recevoir un nouveau code", "payload": "/affirm"},
                    {"title": "Non merci", "payload": "/deny"},
                ],
            },
        ]
    }
    assert answer.headers["Cache-Control"] == "no-store"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"


def test_a_message_of_the_maximum_length_is_forwarded(web: int, rasa: FakeRasa) -> None:
    message = "é" * MAX_MESSAGE_CHARS
    answer = chat(web, {"sender": SENDER, "message": message})
    assert answer.status == 200
    assert rasa.received[0]["message"] == message


# --- origin -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("origin", "host", "allowed"),
    [
        ("http://127.0.0.1:8080", "127.0.0.1:8080", True),
        ("http://localhost:8080", "localhost:8080", True),
        ("http://[::1]:8080", "[::1]:8080", True),
        (f"https://{PUBLIC_HOST}", PUBLIC_HOST, True),
        ("HTTP://LOCALHOST:8080", "localhost:8080", True),
        (None, "127.0.0.1:8080", False),
        ("null", "127.0.0.1:8080", False),
        ("http://127.0.0.1:8080", None, False),
        ("https://evil.example", "127.0.0.1:8080", False),
        ("http://127.0.0.1:9999", "127.0.0.1:8080", False),  # another local site
        ("http://evil.example:8080", "evil.example:8080", False),  # DNS rebinding
        ("http://127.0.0.1:8080/chat", "127.0.0.1:8080", False),
        ("ftp://127.0.0.1:8080", "127.0.0.1:8080", False),
    ],
)
def test_only_the_pages_own_origin_is_allowed(origin: str | None, host: str | None, allowed: bool) -> None:
    assert page_origin_allowed(origin, host, frozenset({PUBLIC_HOST})) is allowed


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": ""},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://evil.example:{port}", "Host": "evil.example:{port}"},
    ],
)
def test_other_origins_get_403_and_never_reach_rasa(
    web: int, rasa: FakeRasa, headers: dict[str, str]
) -> None:
    sent = {name: value.format(port=web) for name, value in headers.items()}
    if not sent["Origin"]:
        sent = {"Content-Type": "application/json"}
        answer = request(web, "POST", "/chat", json.dumps({"sender": SENDER, "message": "x"}).encode(), sent)
    else:
        answer = chat(web, {"sender": SENDER, "message": "bonjour"}, sent)
    assert answer.status == 403
    assert "refusée" in answer.json()["error"]
    assert rasa.received == []


def test_the_public_host_of_the_site_is_allowed(web: int, rasa: FakeRasa) -> None:
    headers = {"Origin": f"https://{PUBLIC_HOST}", "Host": PUBLIC_HOST}
    assert chat(web, {"sender": SENDER, "message": "bonjour"}, headers).status == 200
    assert len(rasa.received) == 1


# --- what is accepted -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "raw", "status"),
    [
        ("text/plain", json.dumps({"sender": SENDER, "message": "bonjour"}).encode(), 415),
        ("application/x-www-form-urlencoded", b"sender=x&message=y", 415),
        ("application/json", b"{not json", 400),
        ("application/json", b"\xff\xfe", 400),
        ("application/json", b"[]", 400),
        ("application/json", json.dumps({"sender": "court", "message": "bonjour"}).encode(), 400),
        ("application/json", json.dumps({"sender": "a" * 65, "message": "bonjour"}).encode(), 400),
        ("application/json", json.dumps({"sender": "../../etc/passwd" * 2, "message": "x"}).encode(), 400),
        ("application/json", json.dumps({"sender": 1234567890123456789, "message": "x"}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER, "message": ["bonjour"]}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER, "message": "   "}).encode(), 400),
    ],
)
def test_malformed_requests_get_a_french_json_error(
    web: int, rasa: FakeRasa, content_type: str, raw: bytes, status: int
) -> None:
    answer = chat(web, None, {"Content-Type": content_type}, raw=raw)
    assert answer.status == status
    error = answer.json()["error"]
    assert error.endswith((".", "…")) and " " in error
    assert rasa.received == []


def test_too_long_a_message_is_refused_with_413(web: int, rasa: FakeRasa) -> None:
    answer = chat(web, {"sender": SENDER, "message": "a" * (MAX_MESSAGE_CHARS + 1)})
    assert answer.status == 413
    assert "trop long" in answer.json()["error"]
    assert "2\u202f000 caractères" in answer.json()["error"]
    assert rasa.received == []


def test_too_big_a_body_is_refused_before_it_is_read(web: int, rasa: FakeRasa) -> None:
    raw = json.dumps({"sender": SENDER, "message": "€" * (MAX_BODY_BYTES // 3 + 10)}).encode()
    assert len(raw) > MAX_BODY_BYTES
    answer = chat(web, None, raw=raw)
    assert answer.status == 413
    assert "trop long" in answer.json()["error"]
    assert rasa.received == []


def test_a_body_without_length_is_refused(web: int) -> None:
    with socket.create_connection(("127.0.0.1", web), timeout=10) as raw:
        raw.sendall(
            f"POST /chat HTTP/1.1\r\nHost: 127.0.0.1:{web}\r\nOrigin: http://127.0.0.1:{web}\r\n"
            "Content-Type: application/json\r\n\r\n".encode()
        )
        answer = b"".join(iter(lambda: raw.recv(4096), b""))
    assert answer.startswith(b"HTTP/1.0 411")
    assert b'"error"' in answer


def test_chat_only_takes_post(web: int) -> None:
    answer = request(web, "GET", "/chat")
    assert answer.status == 405
    assert answer.json()["error"]


# --- when Rasa is down or fails ------------------------------------------------------------


def test_rasa_unreachable_gives_503_in_french() -> None:
    for port in _serve(_closed_port()):
        answer = chat(port, {"sender": SENDER, "message": "bonjour"})
        assert answer.status == 503
        assert answer.json() == {"error": chat_proxy.ERROR_TEXTS[HTTPStatus.SERVICE_UNAVAILABLE]}
        assert "indisponible" in answer.json()["error"]
        assert answer.headers["Retry-After"] == "2"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, b'{"error": "boom"}', 502),
        (200, b"<html>not json</html>", 502),
        (200, b'{"not": "a list"}', 502),
        (503, b"starting", 503),
        (502, b"bad gateway", 503),
    ],
)
def test_rasa_errors(web: int, rasa: FakeRasa, status: int, body: bytes, expected: int) -> None:
    rasa.status, rasa.body = status, body
    answer = chat(web, {"sender": SENDER, "message": "bonjour"})
    assert answer.status == expected
    assert answer.json()["error"]


def test_a_slow_rasa_times_out_as_unavailable(rasa: FakeRasa) -> None:
    rasa.delay = 1.0
    proxy = ChatProxy(RasaClient(f"http://127.0.0.1:{rasa.port}/webhooks/rest/webhook", timeout=0.2))
    request = Request(
        method="POST",
        path="/chat",
        headers={"origin": "http://127.0.0.1:8080", "host": "127.0.0.1:8080"},
        cookies={},
        body=json.dumps({"sender": SENDER, "message": "bonjour"}).encode(),
        content_type="application/json",
    )
    started = time.monotonic()
    response = proxy.handle(request)
    assert response.status == 503
    assert time.monotonic() - started < 1.0


def test_no_message_and_no_sender_in_the_logs(
    web: int, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="bot.web")
    assert chat(web, {"sender": SENDER, "message": SECRET_TEXT}).status == 200
    assert chat(web, {"sender": SENDER, "message": SECRET_TEXT + "x" * MAX_MESSAGE_CHARS}).status == 413
    assert (
        chat(web, {"sender": SENDER, "message": SECRET_TEXT}, {"Origin": "https://evil.example"}).status
        == 403
    )
    rasa.status = 500
    assert chat(web, {"sender": SENDER, "message": SECRET_TEXT}).status == 502
    for port in _serve(_closed_port()):
        assert chat(port, {"sender": SENDER, "message": SECRET_TEXT}).status == 503
    lines = [record.getMessage() for record in caplog.records if record.name.startswith("bot.web")]
    assert any("chat:" in line for line in lines)
    for secret in ("2 91 09 75", "482913", "numero", SENDER):
        assert all(secret not in line for line in lines), secret


# --- the demo page and the widget's files ------------------------------------------------


def test_demo_page_is_the_login_page_with_the_widget(web: int) -> None:
    page = request(web, "GET", "/")
    assert page.status == 200
    html = page.body.decode()
    text = html_module.unescape(html)
    assert page.headers["Content-Security-Policy"] == demo_page.CONTENT_SECURITY_POLICY
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "connect-src 'self';" in csp and "unsafe" not in csp
    assert '<html lang="fr">' in html
    for label in ("Espace Adhérent ACS", "Numéro de Sécurité sociale", "Code d'accès", "Se connecter"):
        assert label in text
    assert 'type="password" inputmode="numeric"' in html
    assert 'data-sesame-payload="/forgot_access_code"' in html
    assert "Vous avez oublié votre code d'accès ou vous souhaitez l'obtenir\u00a0?" in text
    # No inline script, and no field that a GET submission could put into a URL.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/chat.js" defer>',
        '<script src="/static/demo.js" defer>',
    ]
    assert " name=" not in html.split("<form", 1)[1].split("</form>", 1)[0]
    assert "style=" not in html and " on" not in re.sub(r"[^<]*", "", html)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("chat.js", "text/javascript; charset=utf-8"),
        ("demo.js", "text/javascript; charset=utf-8"),
        ("chat.css", "text/css; charset=utf-8"),
        ("sesame.css", "text/css; charset=utf-8"),
    ],
)
def test_widget_files_are_served(web: int, name: str, content_type: str) -> None:
    answer = request(web, "GET", f"/static/{name}")
    assert answer.status == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.body == (STATIC_DIR / name).read_bytes()


def test_widget_never_writes_html_nor_reaches_elsewhere() -> None:
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert forbidden not in script
    assert re.findall(r"[\"']https?://[^\"']*", script) == ['"http://www.w3.org/2000/svg']
    assert "getRandomValues" in script and "sessionStorage" in script and "localStorage" not in script
