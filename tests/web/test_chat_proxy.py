"""``POST /chat`` and the demo page, through the FastAPI app (TestClient, lifespan run).

An ``httpx.MockTransport`` stands in for Rasa's REST webhook: it records what it
is sent and answers what each test asks. The real Rasa is the browser test's job
(tests/browser/).
"""

from __future__ import annotations

import html as html_module
import json
import logging
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine

from bot.settings import Settings
from bot.web.app import create_app
from bot.web.body_limits import MESSAGE_BODY_BYTES
from bot.web.deps import page_origin_allowed
from bot.web.errors import CHAT_TEXTS, MAX_MESSAGE_CHARS
from bot.web.rasa import client_label
from bot.web.routes.pages import DEMO_CONTENT_SECURITY_POLICY, STATIC_DIR
from bot.workbench.tracker import create_tracker_table
from tests.support.db import migrated_memory_engine
from tests.support.html import inline_code

SENDER = "Zq3-x_9bT4mWkLpR2sYvN8cA"
SECRET_TEXT = "mon numero 2 91 09 75 006 373 88 et mon code 482913"  # noqa: S105 - a test message
PUBLIC_HOST = "sesame.acs.example"
PAGE = "http://127.0.0.1:8080"
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

    received: list[dict[str, Any]] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    channel_tokens: list[str | None] = field(default_factory=list)
    conversations: list[str | None] = field(default_factory=list)
    status: int = 200
    body: bytes = json.dumps(BOT_ANSWER).encode()
    error: Exception | None = None

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.urls.append(str(request.url))
        self.received.append(json.loads(request.content))
        self.channel_tokens.append(request.headers.get("x-sesame-channel"))
        self.conversations.append(request.headers.get("x-sesame-conversation"))
        if self.error is not None:
            raise self.error
        return httpx.Response(self.status, content=self.body, headers={"Content-Type": "application/json"})


CHANNEL_TOKEN = "jeton-du-canal-pour-les-tests"  # noqa: S105 - a test value


def _settings(rasa_port: int = 5005) -> Settings:
    return Settings.from_values(
        {
            "RASA_PORT": str(rasa_port),
            "RESET_URL_BASE": f"https://{PUBLIC_HOST}/reinitialiser",
            "CHANNEL_TOKEN": CHANNEL_TOKEN,
        }
    )


def _app(rasa: FakeRasa | None, rasa_port: int = 5005) -> FastAPI:
    transport = httpx.MockTransport(rasa.handle) if rasa is not None else None
    database = _empty_database()
    app = create_app(_settings(rasa_port), database, rasa_transport=transport)
    create_tracker_table(database)  # an empty conversation store (the fake Rasa writes none)
    app.state.workbench.tracker_engine = database
    return app


def _empty_database() -> Engine:
    """A migrated in-memory database: /chat looks for an open hand-off before asking Rasa."""
    return migrated_memory_engine()


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def web(rasa: FakeRasa) -> Iterator[TestClient]:
    with TestClient(_app(rasa), base_url=PAGE) as client:
        yield client


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def chat(
    client: TestClient, payload: object, headers: dict[str, str] | None = None, raw: bytes | None = None
) -> httpx.Response:
    sent = {"Origin": PAGE, "Content-Type": "application/json", **(headers or {})}
    body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()  # as browsers do
    answer: httpx.Response = client.post("/chat", content=body, headers=sent)
    return answer


def error_of(answer: httpx.Response) -> str:
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
    error: str = answer.json()["error"]
    return error


# --- forwarding -----------------------------------------------------------------------


def test_message_is_forwarded_and_the_answer_kept_to_text_and_buttons(
    web: TestClient, rasa: FakeRasa
) -> None:
    answer = chat(web, {"sender": SENDER, "message": "j'ai oublié mon code d'accès"})
    assert answer.status_code == 200
    assert rasa.urls == ["http://127.0.0.1:5005/webhooks/rest/webhook"]
    # The client goes along as a keyed hash of its address (TestClient's is "testclient"),
    # on a request signed with the channel token.
    label = client_label("testclient", _settings().nir_hash_key)
    assert re.fullmatch(r"web:[0-9a-f]{32}\.[0-9a-f]{16}", label) and "testclient" not in label
    assert rasa.received == [
        {"sender": SENDER, "message": "j'ai oublié mon code d'accès", "metadata": {"client": label}}
    ]
    assert rasa.channel_tokens == [CHANNEL_TOKEN]
    # What the production balancer hashes to keep the conversation on one Rasa replica.
    assert rasa.conversations == [SENDER]
    assert answer.headers["Content-Type"] == "application/json; charset=utf-8"
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


def test_the_widgets_own_greeting_goes_to_rasa_marked_automatic(web: TestClient, rasa: FakeRasa) -> None:
    # The « Bonjour » the widget sends on opening: the member did not type it (issue #22).
    assert chat(web, {"sender": SENDER, "message": "Bonjour", "automatique": True}).status_code == 200
    assert chat(web, {"sender": SENDER, "message": "bonjour"}).status_code == 200
    first, typed = rasa.received
    assert first["metadata"]["automatique"] is True
    assert "automatique" not in typed["metadata"]
    assert chat(web, {"sender": SENDER, "message": "Bonjour", "automatique": "oui"}).status_code == 400


def test_a_message_of_the_maximum_length_is_forwarded(web: TestClient, rasa: FakeRasa) -> None:
    message = "é" * MAX_MESSAGE_CHARS
    answer = chat(web, {"sender": SENDER, "message": message})
    assert answer.status_code == 200
    assert rasa.received[0]["message"] == message


def test_the_rasa_client_ignores_proxy_settings(web: TestClient) -> None:
    """No HTTP(S)_PROXY variable may send members' messages anywhere but to the local Rasa."""
    app: Any = web.app
    http: httpx.AsyncClient = app.state.rasa.http
    assert http.trust_env is False
    assert http.timeout.read == 30.0


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
        {},
        {"Origin": "https://evil.example"},
        {"Origin": "null"},
        {"Origin": "http://evil.example:8080", "Host": "evil.example:8080"},
    ],
)
def test_other_origins_get_403_and_never_reach_rasa(
    web: TestClient, rasa: FakeRasa, headers: dict[str, str]
) -> None:
    sent = {"Content-Type": "application/json", **headers}
    body = json.dumps({"sender": SENDER, "message": "bonjour"}).encode()
    answer = web.post("/chat", content=body, headers=sent)  # no Origin unless the case gives one
    assert answer.status_code == 403
    assert "refusée" in error_of(answer)
    assert rasa.received == []


def test_the_public_host_of_the_site_is_allowed(web: TestClient, rasa: FakeRasa) -> None:
    headers = {"Origin": f"https://{PUBLIC_HOST}", "Host": PUBLIC_HOST}
    assert chat(web, {"sender": SENDER, "message": "bonjour"}, headers).status_code == 200
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
        ("application/json", b"", 400),
        ("application/json", b"[" * 8000, 400),  # deep enough to exhaust the parser's stack
        ("application/json", b'{"a":' * 1300 + b"1" + b"}" * 1300, 400),
        ("application/json", json.dumps({"sender": "court", "message": "bonjour"}).encode(), 400),
        ("application/json", json.dumps({"sender": "a" * 65, "message": "bonjour"}).encode(), 400),
        ("application/json", json.dumps({"sender": "../../etc/passwd" * 2, "message": "x"}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER + "\n", "message": "x"}).encode(), 400),
        ("application/json", json.dumps({"sender": 1234567890123456789, "message": "x"}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER, "message": ["bonjour"]}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER, "message": 12}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER}).encode(), 400),
        ("application/json", json.dumps({"sender": SENDER, "message": "   "}).encode(), 400),
    ],
)
def test_malformed_requests_get_a_french_json_error(
    web: TestClient, rasa: FakeRasa, content_type: str, raw: bytes, status: int
) -> None:
    answer = chat(web, None, {"Content-Type": content_type}, raw=raw)
    assert answer.status_code == status
    error = error_of(answer)
    assert error.endswith((".", "…")) and " " in error
    assert rasa.received == []


def test_an_empty_message_is_told_so(web: TestClient) -> None:
    answer = chat(web, {"sender": SENDER, "message": " \n "})
    assert answer.status_code == 400
    assert error_of(answer) == "Votre message est vide : écrivez votre question, puis envoyez-la."


def test_too_long_a_message_is_refused_with_413(web: TestClient, rasa: FakeRasa) -> None:
    answer = chat(web, {"sender": SENDER, "message": "a" * (MAX_MESSAGE_CHARS + 1)})
    assert answer.status_code == 413
    assert "trop long" in error_of(answer)
    assert "2\u202f000 caractères" in error_of(answer)
    assert rasa.received == []


def test_too_big_a_body_is_refused_before_it_is_read(web: TestClient, rasa: FakeRasa) -> None:
    raw = json.dumps({"sender": SENDER, "message": "€" * (MESSAGE_BODY_BYTES // 3 + 10)}).encode()
    assert len(raw) > MESSAGE_BODY_BYTES
    answer = chat(web, None, raw=raw)
    assert answer.status_code == 413
    assert "trop long" in error_of(answer)
    assert rasa.received == []


def test_too_big_a_chunked_body_is_refused_while_it_is_read(web: TestClient, rasa: FakeRasa) -> None:
    """Without Content-Length, the limit holds as the chunks arrive."""

    def chunks() -> Iterator[bytes]:
        yield b'{"sender": "' + SENDER.encode() + b'", "message": "'
        for _ in range(10):
            yield b"a" * 1024
        yield b'"}'

    sent = {"Origin": PAGE, "Content-Type": "application/json"}
    answer = web.post("/chat", content=chunks(), headers=sent)
    assert answer.status_code == 413
    assert "trop long" in error_of(answer)
    assert rasa.received == []


def test_chat_only_takes_post(web: TestClient) -> None:
    answer = web.get("/chat")
    assert answer.status_code == 405
    assert answer.headers["Allow"] == "POST"
    assert error_of(answer) == CHAT_TEXTS[405]


# --- when Rasa is down or fails ------------------------------------------------------------


def test_rasa_unreachable_gives_503_in_french() -> None:
    with TestClient(_app(None, rasa_port=_closed_port()), base_url=PAGE) as client:
        answer = chat(client, {"sender": SENDER, "message": "bonjour"})
    assert answer.status_code == 503
    assert answer.json() == {"error": CHAT_TEXTS[503]}
    assert "indisponible" in error_of(answer)
    assert answer.headers["Retry-After"] == "2"


@pytest.mark.parametrize(
    ("status", "body", "expected"),
    [
        (500, b'{"error": "boom"}', 502),
        (404, b"not found", 502),
        (200, b"<html>not json</html>", 502),
        (200, b'{"not": "a list"}', 502),
        (200, b"[" * 8000, 502),
        (200, b"\xff", 502),
        (503, b"starting", 503),
        (502, b"bad gateway", 503),
        (504, b"gateway timeout", 503),
    ],
)
def test_rasa_errors(web: TestClient, rasa: FakeRasa, status: int, body: bytes, expected: int) -> None:
    rasa.status, rasa.body = status, body
    answer = chat(web, {"sender": SENDER, "message": "bonjour"})
    assert answer.status_code == expected
    assert error_of(answer) == CHAT_TEXTS[expected]


@pytest.mark.parametrize(
    "error",
    [httpx.ReadTimeout("slow"), httpx.ConnectTimeout("slow"), httpx.RemoteProtocolError("garbled")],
    ids=["read-timeout", "connect-timeout", "garbled"],
)
def test_a_slow_or_garbled_rasa_is_unavailable(web: TestClient, rasa: FakeRasa, error: Exception) -> None:
    rasa.error = error
    answer = chat(web, {"sender": SENDER, "message": "bonjour"})
    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "2"


def test_no_message_and_no_sender_in_the_logs(
    web: TestClient, rasa: FakeRasa, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    assert chat(web, {"sender": SENDER, "message": SECRET_TEXT}).status_code == 200
    assert chat(web, {"sender": SENDER, "message": SECRET_TEXT + "x" * MAX_MESSAGE_CHARS}).status_code == 413
    assert (
        chat(web, {"sender": SENDER, "message": SECRET_TEXT}, {"Origin": "https://evil.example"}).status_code
        == 403
    )
    rasa.status = 500
    assert chat(web, {"sender": SENDER, "message": SECRET_TEXT}).status_code == 502
    with TestClient(_app(None, rasa_port=_closed_port()), base_url=PAGE) as client:
        assert chat(client, {"sender": SENDER, "message": SECRET_TEXT}).status_code == 503
    lines = [record.getMessage() for record in caplog.records]
    assert any("chat:" in line for line in lines)
    assert any('"POST /chat HTTP/1.1" 200' in line for line in lines)  # the access log is there
    for secret in ("2 91 09 75", "482913", "numero", SENDER):
        assert all(secret not in line for line in lines), secret


# --- the description of the API -----------------------------------------------------------


def test_openapi_describes_chat_with_its_request_and_errors(web: TestClient) -> None:
    app: Any = web.app
    schema = app.openapi()
    # The pages are not an API: only /chat (with the widget's « Cette réponse vous a aidé ? »), the
    # agents' console API and the workbench's are described.
    assert [
        path for path in schema["paths"] if not path.startswith(("/conseiller/api/", "/atelier/api/"))
    ] == ["/chat", "/chat/avis"]
    operation = schema["paths"]["/chat"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["required"] == ["sender", "message"]
    assert body["properties"]["sender"]["pattern"] == "^[A-Za-z0-9_-]{16,64}$"
    assert body["properties"]["message"]["maxLength"] == MAX_MESSAGE_CHARS
    assert set(operation["responses"]) == {"200", "400", "403", "413", "415", "502", "503"}
    assert "Retry-After" in operation["responses"]["503"]["headers"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ChatReply"
    }
    assert {"ChatReply", "BotMessage", "Button", "ChatError"} <= set(schema["components"]["schemas"])


def test_no_interactive_docs_nor_schema_on_the_public_listener(web: TestClient) -> None:
    for path in ("/docs", "/redoc", "/openapi.json"):
        assert web.get(path).status_code == 404


# --- the demo page and the widget's files ------------------------------------------------


def test_demo_page_is_the_login_page_with_the_widget(web: TestClient) -> None:
    page = web.get("/")
    assert page.status_code == 200
    html = page.text
    text = html_module.unescape(html)
    assert page.headers["Content-Security-Policy"] == DEMO_CONTENT_SECURITY_POLICY
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "connect-src 'self';" in csp and "unsafe" not in csp
    assert '<html lang="fr">' in html
    for label in ("Espace Adhérent ACS", "Numéro de Sécurité sociale", "Code d'accès", "Se connecter"):
        assert label in text
    assert 'type="password" inputmode="numeric"' in html
    assert 'data-sesame-payload="/forgot_access_code"' in html
    assert "Vous avez oublié votre code d'accès ou vous souhaitez l'obtenir\u00a0?" in text
    # Only our two script files, and no field that a GET submission could put into a URL.
    assert re.findall(r"<script[^>]*>", html) == [
        '<script src="/static/chat.js" defer data-retention-days="90"\n data-privacy-url="/confidentialite">',
        '<script src="/static/demo.js" defer>',
    ]
    assert " name=" not in html.split("<form", 1)[1].split("</form>", 1)[0]
    # No inline script, event handler or style: the page's policy would block them.
    assert inline_code(html) == []


@pytest.mark.parametrize(
    ("snippet", "found"),
    [
        ('<button type="button" onclick="go()">', ["<button onclick=…>"]),
        ('<body onload="x()">', ["<body onload=…>"]),
        ('<img src="a.png" ONERROR="x()">', ["<img onerror=…>"]),
        ('<p style="color: red">', ["<p style=…>"]),
        ("<script>alert(1)</script>", ["<script> without src", "<script> with inline code"]),
        ('<a href="javascript:alert(1)">', ["<a href=javascript:…>"]),
        ("<style>p {}</style>", ["<style>"]),
        ('<script src="/static/chat.js" defer></script><p class="online">', []),
    ],
)
def test_the_inline_code_check_finds_what_it_must(snippet: str, found: list[str]) -> None:
    """The check above can fail: each of these would break the strict policy."""
    assert inline_code(f"<!doctype html><html><body>{snippet}</body></html>") == found


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("chat.js", "text/javascript; charset=utf-8"),
        ("demo.js", "text/javascript; charset=utf-8"),
        ("chat.css", "text/css; charset=utf-8"),
        ("sesame.css", "text/css; charset=utf-8"),
    ],
)
def test_widget_files_are_served(web: TestClient, name: str, content_type: str) -> None:
    answer = web.get(f"/static/{name}")
    assert answer.status_code == 200
    assert answer.headers["Content-Type"] == content_type
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.content == (STATIC_DIR / name).read_bytes()


def test_widget_never_writes_html_nor_reaches_elsewhere() -> None:
    script = (STATIC_DIR / "chat.js").read_text(encoding="utf-8")
    for forbidden in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "Function("):
        assert forbidden not in script
    assert re.findall(r"[\"']https?://[^\"']*", script) == ['"http://www.w3.org/2000/svg']
    assert "getRandomValues" in script and "sessionStorage" in script and "localStorage" not in script


# --- health probe ------------------------------------------------------------------------


def test_the_health_probe_says_ok_while_the_member_database_answers(web: TestClient) -> None:
    answer = web.get("/sante")
    assert answer.status_code == 200
    assert answer.json() == {"etat": "ok", "base_adherents": "ok"}


def test_without_the_member_database_the_worker_stays_up_and_the_bot_answers(
    tmp_path: Path, rasa: FakeRasa
) -> None:
    """The database down for every worker: none leaves the rotation, and the bot still answers."""
    unreachable = create_engine(f"sqlite:///{tmp_path}/missing-dir/none.db")
    transport = httpx.MockTransport(rasa.handle)
    app = create_app(_settings(), unreachable, rasa_transport=transport)
    app.state.workbench.tracker_engine = unreachable  # no conversation store either: no question asked
    with TestClient(app, base_url=PAGE) as client:
        health = client.get("/sante")
        answer = chat(client, {"sender": SENDER, "message": "comment me connecter ?"})
    assert health.status_code == 200
    assert health.json() == {"etat": "ok", "base_adherents": "injoignable"}
    assert answer.status_code == 200 and answer.json()["messages"]
    assert len(rasa.received) == 1
