"""The reset page, end to end: a real server on a free port, a real database
(SQLite and PostgreSQL), and plain HTTP requests as a browser would send them.
"""

from __future__ import annotations

import datetime as dt
import html
import http.client
import logging
import re
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import Message

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select, update

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Base, Member, ResetRequest
from bot.rules.access_code import RULE_TEXT, check_new_code
from bot.rules.tokens import hash_token, mint_token
from bot.settings import Settings
from bot.web import reset_page, templates
from bot.web.reset_page import LinkState, store_new_code
from bot.web.server import MAX_BODY_BYTES, SECURITY_HEADERS
from tests.support.web_server import running_server

GOOD_CODE = "482913"
PREFIX = "/reinitialiser"


@dataclass
class Page:
    status: int
    headers: Message
    body: str

    @property
    def text(self) -> str:
        """What a reader sees: tags dropped, entities decoded, non-breaking spaces plain."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.body)).replace("\u00a0", " ")


@dataclass
class Browser:
    """Just enough of a browser: keeps cookies, remembers every page it received."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    pages: list[Page] = field(default_factory=list)

    def request(
        self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Page:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        sent = dict(headers or {})
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        page = Page(response.status, response.msg, response.read().decode("utf-8"))
        connection.close()
        for cookie in page.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";")[0]
        self.pages.append(page)
        return page

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Page:
        from urllib.parse import urlencode

        body = urlencode(fields).encode()
        return self.request("POST", path, body, {"Content-Type": "application/x-www-form-urlencoded"})

    def submit(self, path: str, code: str, confirmation: str) -> Page:
        """Load the form, then post it as a member would."""
        form = self.get(path)
        assert form.status == 200
        return self.post(path, {"csrf": csrf_of(form), "code": code, "confirmation": confirmation})


def csrf_of(page: Page) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.body)
    assert found is not None
    return found.group(1)


@pytest.fixture
def port(engine: Engine) -> Iterator[int]:
    settings = Settings.from_values({"RESET_URL_BASE": f"http://127.0.0.1:8080{PREFIX}"})
    with running_server(engine, settings) as server_port:
        yield server_port


@pytest.fixture
def browser(port: int) -> Browser:
    return Browser(port)


def make_link(engine: Engine, expires_in: dt.timedelta = dt.timedelta(hours=1)) -> tuple[str, int]:
    """A fictitious member with a fresh reset link: (token, member id)."""
    token, token_hash = mint_token()
    with session_scope(engine) as session:
        member = Member(
            nir_hash=secrets.token_hex(32), first_name="Camille", last_name="Exemple",
            email="camille.exemple@example.org", street="12 rue des Essais", postal_code="99999",
            city="Testville",
        )  # fmt: skip
        session.add(
            ResetRequest(
                member=member,
                channel="email",
                token_hash=token_hash,
                token_expires_at=dt.datetime.now(dt.timezone.utc) + expires_in,
            )
        )
        session.flush()
        return token, member.id


def link(token: str) -> str:
    return f"{PREFIX}/{token}"


def stored(engine: Engine, member_id: int) -> tuple[str | None, dt.datetime | None, int]:
    """(code hash, token used at, number of audit events) for this member."""
    with session_scope(engine) as session:
        member = session.get_one(Member, member_id)
        reset = session.scalars(select(ResetRequest).where(ResetRequest.member_id == member_id)).one()
        events = session.scalars(select(AuditEvent).where(AuditEvent.member_id == member_id)).all()
        return member.access_code_hash, reset.token_used_at, len(events)


def database_dump(engine: Engine) -> str:
    with engine.connect() as connection:
        return "\n".join(
            repr(row) for table in Base.metadata.sorted_tables for row in connection.execute(table.select())
        )


def assert_secure_headers(page: Page) -> None:
    for name, value in SECURITY_HEADERS.items():
        assert page.headers[name] == value
    assert "script-src" not in page.headers["Content-Security-Policy"]  # default-src 'none' covers it


def assert_code_never_echoed(browser: Browser, *codes: str) -> None:
    """No body repeats a typed code (hidden CSRF values and the link's token aside)."""
    for page in browser.pages:
        visible = re.sub(r'name="csrf" value="[0-9a-f]+"', "", page.body)
        visible = re.sub(re.escape(PREFIX) + r"/[A-Za-z0-9_-]+", "", visible)
        for code in codes:
            assert code not in visible


def test_form_is_shown_accessibly(engine: Engine, browser: Browser) -> None:
    token, _ = make_link(engine)
    page = browser.get(link(token))
    assert page.status == 200
    assert_secure_headers(page)
    assert page.headers["Content-Type"] == "text/html; charset=utf-8"
    assert '<html lang="fr">' in page.body
    assert RULE_TEXT in page.text
    for name in ("code", "confirmation"):
        assert f'<label for="{name}">' in page.body
        field_html = re.search(rf'<input id="{name}" name="{name}"[^>]*>', page.body)
        assert field_html is not None
        for attribute in (
            'type="password"',
            'inputmode="numeric"',
            'autocomplete="new-password"',
            'maxlength="6"',
        ):
            assert attribute in field_html.group(0)
    assert 'aria-describedby="regle-code"' in page.body
    assert 'role="alert"' not in page.body
    assert f'action="{PREFIX}/{token}"' in page.body
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and f"Path={PREFIX}/" in cookie


@pytest.mark.parametrize(
    ("code", "confirmation"),
    [("12345", "12345"), ("abcdef", "abcdef"), (GOOD_CODE, "482914")],
    ids=["five-digits", "letters", "mismatch"],
)
def test_bad_codes_are_refused_in_french_and_change_nothing(
    engine: Engine, browser: Browser, code: str, confirmation: str
) -> None:
    token, member_id = make_link(engine)
    page = browser.submit(link(token), code, confirmation)
    message = check_new_code(code, confirmation)
    assert message is not None
    assert page.status == 400
    assert_secure_headers(page)
    assert message in page.text
    assert re.search(r'<p id="erreur-code" class="error" role="alert">', page.body)
    assert 'aria-describedby="regle-code erreur-code"' in page.body
    assert 'aria-invalid="true"' in page.body
    assert "<title>Erreur" in page.body
    assert "value=" not in page.body.replace(f'name="csrf" value="{csrf_of(page)}"', "")
    assert stored(engine, member_id) == (None, None, 0)
    assert_code_never_echoed(browser, code, confirmation)


def test_good_code_is_stored_hashed_once(engine: Engine, browser: Browser) -> None:
    token, member_id = make_link(engine)
    csrf = csrf_of(browser.get(link(token)))
    page = browser.post(link(token), {"csrf": csrf, "code": GOOD_CODE, "confirmation": GOOD_CODE})
    assert page.status == 200
    assert_secure_headers(page)
    assert templates.SUCCESS_TEXT in page.text

    code_hash, used_at, events = stored(engine, member_id)
    assert code_hash is not None and code_hash.startswith("$argon2id$")
    assert PasswordHasher().verify(code_hash, GOOD_CODE)
    assert used_at is not None
    assert events == 1
    with session_scope(engine) as session:
        event = session.scalars(select(AuditEvent)).one()
        assert event.kind == "access_code_changed"
        assert event.member_id == member_id
    dump = database_dump(engine)
    assert GOOD_CODE not in dump
    assert token not in dump

    again = browser.get(link(token))
    assert again.status == 410
    assert_secure_headers(again)
    assert "Ce lien a déjà été utilisé" in again.text
    replay = browser.post(link(token), {"csrf": csrf, "code": "111111", "confirmation": "111111"})
    assert replay.status == 410
    assert "Ce lien a déjà été utilisé" in replay.text
    assert stored(engine, member_id) == (code_hash, used_at, 1)
    assert_code_never_echoed(browser, GOOD_CODE, "111111")


def test_double_submit_uses_the_link_once(engine: Engine, port: int) -> None:
    token, member_id = make_link(engine)
    first, second = Browser(port), Browser(port)
    forms = [(b, csrf_of(b.get(link(token)))) for b in (first, second)]
    barrier = threading.Barrier(2)
    statuses: list[int] = []

    def post(browser: Browser, csrf: str) -> None:
        barrier.wait()
        page = browser.post(link(token), {"csrf": csrf, "code": GOOD_CODE, "confirmation": GOOD_CODE})
        statuses.append(page.status)

    threads = [threading.Thread(target=post, args=form) for form in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(statuses) == [200, 410]
    assert stored(engine, member_id)[2] == 1


def test_stale_read_cannot_burn_a_used_token_twice(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    """Even if the validity check were fooled, the compare-and-set on token_used_at holds."""
    token, member_id = make_link(engine)
    now = dt.datetime.now(dt.timezone.utc)
    with session_scope(engine) as session:
        assert store_new_code(session, hash_token(token), "first-hash", now) is LinkState.VALID
    monkeypatch.setattr(reset_page, "state_of", lambda _reset, _now: LinkState.VALID)
    with session_scope(engine) as session:
        assert store_new_code(session, hash_token(token), "second-hash", now) is LinkState.USED
    assert stored(engine, member_id)[0] == "first-hash"
    assert stored(engine, member_id)[2] == 1


def test_expired_link_explains_how_to_get_a_new_code(engine: Engine, browser: Browser) -> None:
    token, member_id = make_link(engine, expires_in=dt.timedelta(minutes=-1))
    page = browser.get(link(token))
    assert page.status == 410
    assert_secure_headers(page)
    assert "Ce lien a expiré" in page.text
    assert f"« {templates.FORGOT_LINK_TEXT} »" in page.text
    assert "demandez à Sésame, l'assistant virtuel ACS" in page.text
    refused = browser.post(link(token), {"csrf": "0" * 64, "code": GOOD_CODE, "confirmation": GOOD_CODE})
    assert refused.status == 410
    assert stored(engine, member_id) == (None, None, 0)


def test_unknown_link_says_to_check_it_was_copied_whole(engine: Engine, browser: Browser) -> None:
    real, _ = make_link(engine)
    never_stored = mint_token()[0]
    for token in (real[:20], never_stored, "abc", "x" * 300, "%00%2e%2e"):
        page = browser.get(link(token))
        assert page.status == 404
        assert_secure_headers(page)
        assert "Ce lien n'est pas valide" in page.text
        assert "copié en entier" in page.text


def test_a_link_replaced_by_a_newer_email_points_to_the_newest(engine: Engine, browser: Browser) -> None:
    """A re-sent email (worker restarted after a crash) carries a new token; the first one stops."""
    first, member_id = make_link(engine)
    newest, newest_hash = mint_token()
    with session_scope(engine) as session:
        session.execute(
            update(ResetRequest).where(ResetRequest.member_id == member_id).values(token_hash=newest_hash)
        )
    page = browser.get(link(first))
    assert page.status == 404
    assert "seul le lien du plus récent" in page.text
    assert browser.get(link(newest)).status == 200


def test_form_posted_without_its_cookie_is_refused(engine: Engine, port: int) -> None:
    token, member_id = make_link(engine)
    attacker = Browser(port)
    form = attacker.get(link(token))
    victim = Browser(port)  # no cookie: what a cross-site post would look like
    page = victim.post(link(token), {"csrf": csrf_of(form), "code": GOOD_CODE, "confirmation": GOOD_CODE})
    assert page.status == 403
    assert templates.CSRF_ERROR in page.text
    assert stored(engine, member_id) == (None, None, 0)
    # The page offers a fresh, working form.
    retry = victim.post(link(token), {"csrf": csrf_of(page), "code": GOOD_CODE, "confirmation": GOOD_CODE})
    assert retry.status == 200


def test_csrf_value_of_one_link_is_worthless_for_another(engine: Engine, browser: Browser) -> None:
    token_a, _ = make_link(engine)
    token_b, member_b = make_link(engine)
    form_a = browser.get(link(token_a))
    browser.get(link(token_b))
    page = browser.post(
        link(token_b), {"csrf": csrf_of(form_a), "code": GOOD_CODE, "confirmation": GOOD_CODE}
    )
    assert page.status == 403
    assert stored(engine, member_b) == (None, None, 0)


def test_oversized_or_odd_bodies_are_refused(engine: Engine, browser: Browser) -> None:
    token, member_id = make_link(engine)
    browser.get(link(token))
    too_big = browser.request(
        "POST",
        link(token),
        b"code=" + b"1" * MAX_BODY_BYTES,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status == 413
    as_json = browser.request("POST", link(token), b"{}", {"Content-Type": "application/json"})
    assert as_json.status == 400
    assert stored(engine, member_id) == (None, None, 0)


def test_other_routes(browser: Browser) -> None:
    home = browser.get("/")  # the demo page: its own policy allows our scripts (tests/test_chat_proxy.py)
    assert home.status == 200 and "Sésame" in home.body
    for name, value in SECURITY_HEADERS.items():
        if name != "Content-Security-Policy":
            assert home.headers[name] == value
    css = browser.get("/static/sesame.css")
    assert css.status == 200 and css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert browser.get("/static/../server.py").status == 404
    assert browser.get("/nulle-part").status == 404
    assert browser.request("POST", "/", b"", {"Content-Type": "text/plain"}).status == 405


def test_tokens_and_codes_stay_out_of_the_logs(
    engine: Engine, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="bot.web")
    token, _ = make_link(engine)
    browser.submit(link(token), GOOD_CODE, GOOD_CODE)
    browser.get(link(token) + "?x=1")
    with socket.create_connection(("127.0.0.1", browser.port), timeout=10) as raw:  # malformed request line
        raw.sendall(f"GET {link(token)} extra junk\r\n\r\n".encode())
        answer = b"".join(iter(lambda: raw.recv(4096), b""))  # the server closes after an error
    assert b"Demande incorrecte" in answer
    lines = [record.getMessage() for record in caplog.records if record.name == "bot.web"]
    assert any("/reinitialiser/[masqué]" in line for line in lines)
    assert all(token not in line and GOOD_CODE not in line for line in lines)
