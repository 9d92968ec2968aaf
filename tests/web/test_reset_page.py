"""The reset page, end to end: the FastAPI app (TestClient), a real database
(SQLite and PostgreSQL), and requests as a browser would send them.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Base, Member, ResetRequest
from bot.resets import links
from bot.resets.links import LinkState, store_new_code
from bot.rules.access_code import RULE_TEXT, check_new_code
from bot.rules.nir_windows import nir_window_hashes
from bot.rules.tokens import hash_token, mint_token
from bot.settings import Settings
from bot.web import templating
from bot.web.app import create_app
from bot.web.body_limits import DEFAULT_BODY_BYTES
from bot.web.deps import MAX_FORM_FIELDS
from bot.web.errors import PAGE_TEXTS
from bot.web.middleware import SECURITY_HEADERS
from tests.rules.test_nir_windows import ATTACK_OFFSETS, generated_nir
from tests.support.html import inline_code

GOOD_CODE = "482913"
PREFIX = "/reinitialiser"
SITE = "http://127.0.0.1:8080"


@dataclass
class Page:
    status: int
    headers: httpx.Headers
    body: str

    @property
    def text(self) -> str:
        """What a reader sees: tags dropped, entities decoded, non-breaking spaces plain."""
        return html.unescape(re.sub(r"<[^>]+>", "", self.body)).replace("\u00a0", " ")


@dataclass
class Browser:
    """Just enough of a browser: its own cookies, and every page it received.

    Each browser is its own TestClient (own cookie jar, own event loop per
    request), so two browsers can post at the same moment from two threads.
    """

    app: FastAPI
    pages: list[Page] = field(default_factory=list)
    client: TestClient = field(init=False)

    def __post_init__(self) -> None:
        self.client = TestClient(self.app, base_url=SITE)

    @property
    def cookies(self) -> httpx.Cookies:
        cookies: httpx.Cookies = self.client.cookies
        return cookies

    def request(
        self, method: str, path: str, body: Any = None, headers: dict[str, str] | None = None
    ) -> Page:
        response = self.client.request(method, path, content=body, headers=headers)
        page = Page(response.status_code, response.headers, response.text)
        self.pages.append(page)
        return page

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, fields: dict[str, str]) -> Page:
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


def server_log(caplog: pytest.LogCaptureFixture) -> list[str]:
    """Every log line but the test client's own (httpx logs the URLs it requests)."""
    return [record.getMessage() for record in caplog.records if not record.name.startswith("httpx")]


def make_settings(**values: str) -> Settings:
    return Settings.from_values({"RESET_URL_BASE": f"{SITE}{PREFIX}", **values})


@pytest.fixture
def app(engine: Engine) -> FastAPI:
    return create_app(make_settings(), engine)


@pytest.fixture
def browser(app: FastAPI) -> Browser:
    return Browser(app)


def make_link(
    engine: Engine,
    expires_in: dt.timedelta = dt.timedelta(hours=1),
    born: tuple[int, int] | None = None,
    nir: str | None = None,
) -> tuple[str, int]:
    """A fictitious member (born ``(year2, month)``, NIR ``nir``) with a fresh reset link: (token, id)."""
    token, token_hash = mint_token()
    with session_scope(engine) as session:
        member = Member(
            nir_hash=secrets.token_hex(32), first_name="Camille", last_name="Exemple",
            email="camille.exemple@example.org", street="12 rue des Essais", postal_code="99999",
            city="Testville", birth_year2=born[0] if born else None, birth_month=born[1] if born else None,
            nir_window_hashes=nir_window_hashes(nir, make_settings().nir_hash_key) if nir else None,
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
    [
        ("12345", "12345"),
        ("abcdef", "abcdef"),
        (GOOD_CODE, "482914"),
        ("000000", "000000"),
        ("123456", "123456"),
        ("159753", "159753"),
    ],
    ids=["five-digits", "letters", "mismatch", "same-digit", "run", "common"],
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


@pytest.mark.parametrize("code", ["150391", "031991", "199103", "910315"])
def test_a_code_in_the_members_birth_month_is_refused(engine: Engine, browser: Browser, code: str) -> None:
    token, member_id = make_link(engine, born=(91, 3))
    page = browser.submit(link(token), code, code)
    assert page.status == 400
    assert "ressemble à votre date de naissance" in page.text
    assert stored(engine, member_id) == (None, None, 0)
    other_token, _ = make_link(engine, born=(85, 7))  # the same digits are fine for someone else
    assert browser.submit(link(other_token), code, code).status == 200


@pytest.mark.parametrize("offset", ATTACK_OFFSETS)
def test_a_code_taken_from_the_members_nir_is_refused(engine: Engine, browser: Browser, offset: int) -> None:
    """Issue 20 #9: the demo member's 291097, 750063, 006373 and 637388 were accepted."""
    nir = generated_nir(11)
    code = nir[offset : offset + 6]
    assert check_new_code(code, code) is None  # no other rule refuses it
    token, member_id = make_link(engine, nir=nir)
    page = browser.submit(link(token), code, code)
    assert page.status == 400
    assert "reprend des chiffres de votre numéro de Sécurité sociale" in page.text
    assert code not in page.body
    assert stored(engine, member_id) == (None, None, 0)
    other_token, _ = make_link(engine, nir=generated_nir(12))  # the same digits are fine for someone else
    assert browser.submit(link(other_token), code, code).status == 200


def test_good_code_is_stored_hashed_once(engine: Engine, browser: Browser) -> None:
    token, member_id = make_link(engine)
    csrf = csrf_of(browser.get(link(token)))
    page = browser.post(link(token), {"csrf": csrf, "code": GOOD_CODE, "confirmation": GOOD_CODE})
    assert page.status == 200
    assert_secure_headers(page)
    assert templating.SUCCESS_TEXT in page.text

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


def test_double_submit_uses_the_link_once(engine: Engine, app: FastAPI) -> None:
    token, member_id = make_link(engine)
    first, second = Browser(app), Browser(app)
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
    monkeypatch.setattr(links, "state_of", lambda _reset, _now: LinkState.VALID)
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
    assert f"« {templating.FORGOT_LINK_TEXT} »" in page.text
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


def test_form_posted_without_its_cookie_is_refused(engine: Engine, app: FastAPI) -> None:
    token, member_id = make_link(engine)
    attacker = Browser(app)
    form = attacker.get(link(token))
    victim = Browser(app)  # no cookie: what a cross-site post would look like
    page = victim.post(link(token), {"csrf": csrf_of(form), "code": GOOD_CODE, "confirmation": GOOD_CODE})
    assert page.status == 403
    assert templating.CSRF_ERROR in page.text
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


def test_workers_sharing_the_csrf_secret_accept_each_others_forms(engine: Engine) -> None:
    """Behind a load balancer, the form may come from one worker and the post go to another."""
    token, member_id = make_link(engine)
    shared, other = "shared-secret-1", "another-secret"
    shown_by = Browser(create_app(make_settings(CSRF_SECRET=shared), engine))
    form = shown_by.get(link(token))
    fields = {"csrf": csrf_of(form), "code": GOOD_CODE, "confirmation": GOOD_CODE}
    stranger = Browser(create_app(make_settings(CSRF_SECRET=other), engine))
    stranger.cookies.update(shown_by.cookies)
    assert stranger.post(link(token), fields).status == 403
    sibling = Browser(create_app(make_settings(CSRF_SECRET=shared), engine))
    sibling.cookies.update(shown_by.cookies)
    assert sibling.post(link(token), fields).status == 200
    assert stored(engine, member_id)[2] == 1


def test_oversized_or_odd_bodies_are_refused(engine: Engine, browser: Browser) -> None:
    token, member_id = make_link(engine)
    form = browser.get(link(token))
    too_big = browser.request(
        "POST",
        link(token),
        b"code=" + b"1" * DEFAULT_BODY_BYTES,
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert too_big.status == 413
    assert "Demande trop volumineuse" in too_big.text
    assert_secure_headers(too_big)

    def chunks() -> Iterator[bytes]:
        yield b"code="
        for _ in range(5):
            yield b"1" * 1024

    chunked = browser.request(
        "POST", link(token), chunks(), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert chunked.status == 413
    as_json = browser.request("POST", link(token), b"{}", {"Content-Type": "application/json"})
    assert as_json.status == 400
    assert "Demande incorrecte" in as_json.text
    too_many = {"csrf": csrf_of(form), "code": GOOD_CODE, "confirmation": GOOD_CODE}
    too_many.update({f"x{n}": "1" for n in range(MAX_FORM_FIELDS)})
    assert browser.post(link(token), too_many).status == 400
    not_utf8 = browser.request(
        "POST", link(token), b"code=%ff%fe", {"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert not_utf8.status == 400
    assert stored(engine, member_id) == (None, None, 0)


def test_other_routes(browser: Browser) -> None:
    home = browser.get("/")  # the demo page: its own policy allows our scripts (test_chat_proxy.py)
    assert home.status == 200 and "Sésame" in home.body
    for name, value in SECURITY_HEADERS.items():
        if name != "Content-Security-Policy":
            assert home.headers[name] == value
    assert home.headers["Server"] == "Sesame"
    head = browser.request("HEAD", "/")
    assert head.status == 200 and head.body == ""
    css = browser.get("/static/sesame.css")
    assert css.status == 200 and css.headers["Content-Type"] == "text/css; charset=utf-8"
    assert browser.get("/static/%2e%2e%2fapp.py").status == 404
    assert browser.get("/static/app.py").status == 404
    assert browser.get("/favicon.ico").status == 204
    missing = browser.get("/nulle-part")
    assert missing.status == 404
    assert "Page introuvable" in missing.text and "copié en entier" in missing.text
    assert_secure_headers(missing)
    wrong_method = browser.request("POST", "/", b"", {"Content-Type": "text/plain"})
    assert wrong_method.status == 405
    assert "Action non autorisée" in wrong_method.text
    assert set(wrong_method.headers["Allow"].split(", ")) == {"GET", "HEAD"}


@pytest.mark.parametrize("status", sorted(PAGE_TEXTS))
def test_error_pages_are_french_and_strict(status: int) -> None:
    from bot.web.errors import error_page

    page = error_page(status)
    body = bytes(page.body).decode()
    title, text = PAGE_TEXTS[status]
    assert f"<title>{title} — Sésame · ACS</title>" in body.replace("\u00a0", " ")
    assert html.unescape(text) in html.unescape(body).replace("\u00a0", " ")
    assert '<html lang="fr">' in body
    assert inline_code(body) == []


def test_every_page_is_free_of_inline_code(engine: Engine, browser: Browser) -> None:
    token, _ = make_link(engine)
    expired, _ = make_link(engine, expires_in=dt.timedelta(minutes=-1))
    browser.submit(link(token), "12345", "12345")  # form, then form with an error
    browser.submit(link(token), GOOD_CODE, GOOD_CODE)  # success
    browser.get(link(token))  # used
    browser.get(link(expired))
    browser.get(link("inconnu"))
    assert len(browser.pages) == 7
    for page in browser.pages:
        assert inline_code(page.body) == [], page.body


def test_a_crash_gives_the_french_500_and_logs_no_exception_message(
    engine: Engine, browser: Browser, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    token, _ = make_link(engine)
    message = f"(psycopg.OperationalError) [parameters: ('{GOOD_CODE}',)]"

    def broken(_engine: Engine, _token: str) -> LinkState:
        raise RuntimeError(message)  # the frame's source line is logged, its values are not

    monkeypatch.setattr("bot.web.routes.reset.current_state", broken)
    caplog.set_level(logging.INFO)
    page = browser.get(link(token))
    assert page.status == 500
    assert "Une erreur est survenue" in page.text
    assert_secure_headers(page)
    logged = "\n".join(server_log(caplog))
    assert "RuntimeError on GET /reinitialiser/[masqué]" in logged
    assert "in broken" in logged  # the frames are there
    assert GOOD_CODE not in logged and "psycopg" not in logged and token not in logged


def test_tokens_and_codes_stay_out_of_the_logs(
    engine: Engine, browser: Browser, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    token, _ = make_link(engine)
    browser.submit(link(token), GOOD_CODE, GOOD_CODE)
    browser.get(link(token) + "?x=1")
    browser.get(link(mint_token()[0]))  # unknown: a 404 logs its path too
    lines = server_log(caplog)
    assert any('"GET /reinitialiser/[masqué] HTTP/1.1" 200' in line for line in lines)
    assert any('"POST /reinitialiser/[masqué] HTTP/1.1" 200' in line for line in lines)
    assert all(token not in line and GOOD_CODE not in line for line in lines)
    assert all("/reinitialiser/" not in line or "/reinitialiser/[masqué]" in line for line in lines)
