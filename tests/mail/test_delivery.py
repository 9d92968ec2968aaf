"""The outbox worker against a real SMTP server (aiosmtpd) and both databases.

Nothing is mocked: emails travel over a local socket, the database is SQLite and
PostgreSQL (``engine`` fixture). All people and addresses are fictitious.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import secrets
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.cli.mail import register
from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Base, EmailStatus, Member, OutgoingEmail, ResetRequest
from bot.mail.compose import SUBJECT, compose_reset_email
from bot.mail.outbox import MAX_ATTEMPTS, SENDING_LEASE, backoff, claim_next
from bot.mail.smtp import as_7bit
from bot.mail.worker import deliver_due, run_worker
from bot.settings import Settings, load_settings

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
URL_BASE = "https://sesame.exemple/reinitialiser"
LINK = re.compile(re.escape(URL_BASE) + r"/([A-Za-z0-9_-]+)")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Inbox:
    """aiosmtpd handler keeping what it receives; ``refuse`` answers 550 to every RCPT."""

    refuse: bool = False
    busy: bool = False
    received: list[tuple[list[str], EmailMessage]] = field(default_factory=list)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if self.busy:
            return "451 4.3.0 Try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        assert isinstance(message, EmailMessage)
        self.received.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


class SevenBitInbox(Inbox):
    """A server that does not announce 8BITMIME, like some old relays."""

    async def handle_EHLO(
        self, server: Any, session: Any, envelope: Any, hostname: str, responses: list[str]
    ) -> list[str]:
        session.host_name = hostname
        return [line for line in responses if "8BITMIME" not in line]


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox
    controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp() -> Iterator[SmtpServer]:
    """A real SMTP server on a free port, started."""
    server = SmtpServer(free_port(), Inbox())
    server.start()
    yield server
    server.stop()


def settings_for(port: int, tmp_path: Path) -> Settings:
    return load_settings(
        tmp_path / "absent",
        environ={"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "RESET_URL_BASE": URL_BASE + "/"},
    )


def queue_email(engine: Engine, first_name: str = "Zoé", address: str = "zoe.martin@exemple.fr") -> int:
    """A member, their reset request and its pending email, as bot.resets.requests would leave them."""
    with session_scope(engine) as session:
        member = Member(
            nir_hash=secrets.token_hex(32), first_name=first_name, last_name="Martin", email=address,
            street="1 rue des Essais", postal_code="75002", city="Paris",
        )  # fmt: skip
        request = ResetRequest(member=member, channel="email", created_at=NOW)
        email = OutgoingEmail(reset_request=request, to_address=address, next_attempt_at=NOW)
        session.add(email)
        session.flush()
        return email.id


def outbox_row(engine: Engine, outbox_id: int) -> OutgoingEmail:
    with session_scope(engine) as session:
        return session.get_one(OutgoingEmail, outbox_id)


def request_of(engine: Engine, outbox_id: int) -> ResetRequest:
    with session_scope(engine) as session:
        return session.get_one(OutgoingEmail, outbox_id).reset_request


def plain_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    assert isinstance(body, EmailMessage)
    text: str = body.get_content()
    return text


def everything_stored(engine: Engine) -> str:
    """Every value of every table, as text: where a leaked secret would show."""
    with engine.connect() as connection:
        return "\n".join(
            str(value)
            for table in Base.metadata.sorted_tables
            for row in connection.execute(table.select())
            for value in row
        )


def audit_kinds(engine: Engine) -> list[str]:
    with session_scope(engine) as session:
        return list(session.scalars(select(AuditEvent.kind).order_by(AuditEvent.id)))


# --- the email itself -------------------------------------------------------------------


def test_reset_email_says_everything_in_french() -> None:
    message = compose_reset_email(
        "Zoé", "zoe.martin@exemple.fr", f"{URL_BASE}/abc_DEF-123", 60, "Sésame ACS <no-reply@acs.exemple>"
    )
    assert message["Subject"] == SUBJECT == "Réinitialisation de votre code d'accès ACS"
    assert message["To"] == "zoe.martin@exemple.fr"
    assert message["Message-ID"].endswith("@acs.exemple>")
    text = plain_text(message)
    assert text.startswith("Bonjour Zoé,")
    assert f"\n{URL_BASE}/abc_DEF-123\n" in text
    assert "valable 60 minutes" in text
    assert "une seule fois" in text
    assert "exactement 6 chiffres" in text
    assert "ACS ne vous demandera jamais votre code d'accès" in text
    assert "Vous n'avez rien demandé ? N'ouvrez pas le lien et ignorez ce message" in text
    # Readable as is (8-bit); quoted-printable for a relay without 8BITMIME, same text.
    assert f"{URL_BASE}/abc_DEF-123".encode() in message.as_bytes()
    seven_bit = as_7bit(message)
    assert seven_bit.as_bytes().isascii()
    assert plain_text(seven_bit) == text
    assert message["Content-Type"].startswith("multipart/alternative")


def test_html_alternative_escapes_the_name() -> None:
    message = compose_reset_email("<b>Zoé</b>", "z@exemple.fr", f"{URL_BASE}/tok", 1, "a@acs.exemple")
    body = message.get_body(preferencelist=("html",))
    assert isinstance(body, EmailMessage)
    html_text = body.get_content()
    assert "&lt;b&gt;Zoé&lt;/b&gt;" in html_text
    assert "<b>Zoé" not in html_text
    assert f'href="{URL_BASE}/tok"' in html_text
    assert "valable 1 minute " in plain_text(message)


def test_backoff_doubles_from_30_seconds_up_to_30_minutes() -> None:
    waits = [int(backoff(n).total_seconds()) for n in range(1, MAX_ATTEMPTS)]
    assert waits == [30, 60, 120, 240, 480, 960, 1800, 1800, 1800]


# --- delivery ---------------------------------------------------------------------------


def test_email_lands_with_a_link_whose_token_matches_the_stored_hash(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    outbox_id = queue_email(engine)
    report = deliver_due(engine, settings_for(smtp.port, tmp_path), now=NOW)
    assert (report.sent, report.postponed, report.failed) == (1, 0, 0)

    [(recipients, message)] = smtp.inbox.received
    assert recipients == ["zoe.martin@exemple.fr"]
    assert message["Subject"] == "Réinitialisation de votre code d'accès ACS"
    text = plain_text(message)
    assert text.startswith("Bonjour Zoé,")
    match = LINK.search(text)
    assert match is not None
    token = match.group(1)
    assert len(token) >= 40  # 256 bits, URL-safe base64

    request = request_of(engine, outbox_id)
    assert request.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert request.token_expires_at == NOW + dt.timedelta(minutes=60)
    assert request.token_used_at is None
    row = outbox_row(engine, outbox_id)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW)
    assert audit_kinds(engine) == ["reset_email_sent"]
    assert token not in everything_stored(engine)

    assert deliver_due(engine, settings_for(smtp.port, tmp_path), now=NOW).sent == 0
    assert len(smtp.inbox.received) == 1


def test_relay_without_8bitmime_gets_quoted_printable(engine: Engine, tmp_path: Path) -> None:
    server = SmtpServer(free_port(), SevenBitInbox())
    server.start()
    try:
        outbox_id = queue_email(engine)
        assert deliver_due(engine, settings_for(server.port, tmp_path), now=NOW).sent == 1
    finally:
        server.stop()
    [(_, message)] = server.inbox.received
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and body["Content-Transfer-Encoding"] == "quoted-printable"
    text = plain_text(message)
    assert text.startswith("Bonjour Zoé,")
    match = LINK.search(text)
    assert match is not None
    assert request_of(engine, outbox_id).token_hash == hashlib.sha256(match.group(1).encode()).hexdigest()


def test_smtp_down_then_up_sends_exactly_once(engine: Engine, tmp_path: Path) -> None:
    server = SmtpServer(free_port(), Inbox())  # not started: nothing listens
    settings = settings_for(server.port, tmp_path)
    first, second = queue_email(engine), queue_email(engine, "Léo", "leo.bernard@exemple.fr")

    report = deliver_due(engine, settings, now=NOW)
    assert (report.sent, report.postponed, report.smtp_unavailable) == (0, 1, True)
    row = outbox_row(engine, first)
    # The server being down is not the email's fault: the try is not counted.
    assert (row.status, row.attempts, row.next_attempt_at) == ("pending", 0, NOW + dt.timedelta(seconds=30))
    assert row.last_error == "serveur SMTP injoignable (connexion refusée)"
    # The pass stopped at the first failure: the other email was not even tried.
    untouched = outbox_row(engine, second)
    assert (untouched.status, untouched.attempts) == ("pending", 0)

    server.start()
    try:
        later = NOW + dt.timedelta(seconds=10)
        assert deliver_due(engine, settings, now=later).sent == 1  # only the untried one is due
        report = deliver_due(engine, settings, now=NOW + dt.timedelta(seconds=31))
        assert (report.sent, report.postponed, report.failed) == (1, 0, 0)
        assert deliver_due(engine, settings, now=NOW + dt.timedelta(hours=1)).sent == 0
    finally:
        server.stop()

    assert sorted(r for rs, _ in server.inbox.received for r in rs) == [
        "leo.bernard@exemple.fr",
        "zoe.martin@exemple.fr",
    ]
    row = outbox_row(engine, first)
    assert (row.status, row.attempts, row.sent_at) == ("sent", 1, NOW + dt.timedelta(seconds=31))
    # The link that went out is the one the database knows (minted at the second try).
    zoe = next(m for rs, m in server.inbox.received if rs == ["zoe.martin@exemple.fr"])
    match = LINK.search(plain_text(zoe))
    assert match is not None
    assert request_of(engine, first).token_hash == hashlib.sha256(match.group(1).encode()).hexdigest()


def test_a_long_smtp_outage_never_loses_the_email(engine: Engine, tmp_path: Path) -> None:
    outbox_id = queue_email(engine)
    settings = settings_for(free_port(), tmp_path)  # nothing listens there, for two days
    for minutes in range(0, 2 * 24 * 60, 30):
        report = deliver_due(engine, settings, now=NOW + dt.timedelta(minutes=minutes))
        assert (report.failed, report.postponed) == (0, 1)
    row = outbox_row(engine, outbox_id)
    assert (row.status, row.attempts) == ("pending", 0)


def test_gives_up_after_max_attempts_with_an_audit_event(engine: Engine, tmp_path: Path) -> None:
    outbox_id = queue_email(engine)
    with session_scope(engine) as session:
        session.get_one(OutgoingEmail, outbox_id).attempts = MAX_ATTEMPTS - 1
    server = SmtpServer(free_port(), Inbox(busy=True))  # answers "try again later" every time
    server.start()
    try:
        report = deliver_due(engine, settings_for(server.port, tmp_path), now=NOW)
    finally:
        server.stop()
    assert (report.failed, report.postponed) == (1, 0)
    row = outbox_row(engine, outbox_id)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    with session_scope(engine) as session:
        event = session.scalars(select(AuditEvent)).one()
        assert event.kind == "reset_email_failed"
        assert event.detail["attempts"] == MAX_ATTEMPTS
        assert event.detail["outbox_id"] == outbox_id
    assert (
        deliver_due(engine, settings_for(free_port(), tmp_path), now=NOW + dt.timedelta(days=1)).failed == 0
    )


def test_address_refused_for_good_fails_at_once(engine: Engine, tmp_path: Path) -> None:
    server = SmtpServer(free_port(), Inbox(refuse=True))
    server.start()
    try:
        outbox_id = queue_email(engine)
        report = deliver_due(engine, settings_for(server.port, tmp_path), now=NOW)
    finally:
        server.stop()
    assert (report.failed, report.smtp_unavailable) == (1, False)
    row = outbox_row(engine, outbox_id)
    assert (row.status, row.attempts) == ("failed", 1)
    assert row.last_error == "adresse refusée par le serveur SMTP (code 550)"
    assert audit_kinds(engine) == ["reset_email_failed"]


def test_email_left_sending_by_a_crashed_worker_is_taken_back(
    engine: Engine, smtp: SmtpServer, tmp_path: Path
) -> None:
    crashed, busy = queue_email(engine), queue_email(engine, "Léo", "leo.bernard@exemple.fr")
    with session_scope(engine) as session:
        for outbox_id, lease_end in ((crashed, NOW - dt.timedelta(seconds=1)), (busy, NOW + SENDING_LEASE)):
            row = session.get_one(OutgoingEmail, outbox_id)
            row.status, row.attempts, row.next_attempt_at = EmailStatus.SENDING, 1, lease_end
    report = deliver_due(engine, settings_for(smtp.port, tmp_path), now=NOW)
    assert (report.reclaimed, report.sent) == (1, 1)
    assert [rs for rs, _ in smtp.inbox.received] == [["zoe.martin@exemple.fr"]]
    assert (outbox_row(engine, crashed).status, outbox_row(engine, crashed).attempts) == ("sent", 2)
    assert outbox_row(engine, busy).status == "sending"  # its worker is still within its lease


def test_no_retry_left_after_a_crash_means_failed(engine: Engine, tmp_path: Path) -> None:
    outbox_id = queue_email(engine)
    with session_scope(engine) as session:
        row = session.get_one(OutgoingEmail, outbox_id)
        row.status, row.attempts, row.next_attempt_at = (
            EmailStatus.SENDING,
            MAX_ATTEMPTS,
            NOW - dt.timedelta(minutes=1),
        )
    report = deliver_due(engine, settings_for(free_port(), tmp_path), now=NOW)
    assert (report.reclaimed, report.postponed) == (1, 0)
    assert outbox_row(engine, outbox_id).status == "failed"
    assert audit_kinds(engine) == ["reset_email_failed"]


# --- two workers --------------------------------------------------------------------------


def test_a_claimed_email_is_invisible_to_a_second_worker(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("two open write transactions: SQLite serialises writers instead")
    queue_email(engine)
    with Session(engine) as first, Session(engine) as second:
        mine = claim_next(first, NOW, 60)
        assert mine is not None
        assert claim_next(second, NOW, 60) is None  # row locked: skipped, not waited for
        first.commit()
        assert claim_next(second, NOW, 60) is None  # now "sending": not pending any more
        second.commit()
    row = outbox_row(engine, mine.outbox_id)
    assert (row.status, row.attempts) == ("sending", 1)


def test_concurrent_workers_send_each_email_once(engine: Engine, smtp: SmtpServer, tmp_path: Path) -> None:
    addresses = [f"adherent{n}@exemple.fr" for n in range(12)]
    for address in addresses:
        queue_email(engine, "Camille", address)
    settings = settings_for(smtp.port, tmp_path)
    start = threading.Barrier(4)
    sent: list[int] = []
    errors: list[BaseException] = []

    def worker() -> None:
        start.wait()
        try:
            sent.append(deliver_due(engine, settings, now=NOW).sent)
        except BaseException as exc:  # reported below, with the assertion
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert errors == []
    assert sum(sent) == len(addresses)
    assert sorted(r for rs, _ in smtp.inbox.received for r in rs) == sorted(addresses)
    with session_scope(engine) as session:
        assert set(session.scalars(select(OutgoingEmail.status))) == {"sent"}


def test_worker_loop_sends_then_stops_when_asked(engine: Engine, smtp: SmtpServer, tmp_path: Path) -> None:
    queue_email(engine)
    stop = threading.Event()
    thread = threading.Thread(target=run_worker, args=(engine, settings_for(smtp.port, tmp_path), stop, 0.05))
    thread.start()
    try:
        for _ in range(100):
            if smtp.inbox.received:
                break
            stop.wait(0.05)
    finally:
        stop.set()
        thread.join(timeout=5)
    assert not thread.is_alive()
    assert len(smtp.inbox.received) == 1


# --- the command line -------------------------------------------------------------------


def sesame_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sesame")
    register(parser.add_subparsers(dest="command"))
    return parser


def test_mail_send_command_prints_a_french_summary(
    db_url: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens
    queue_email(engine)
    args = sesame_parser().parse_args(["mail", "send"])
    assert args.handler(args) == 0
    assert capsys.readouterr().out.strip() == (
        "Envoi des e-mails : 0 e-mail envoyé, 1 reporté, 0 abandonné. Serveur SMTP injoignable : "
        "les e-mails restent en file et partiront à son retour."
    )

    server = SmtpServer(free_port(), Inbox())
    server.start()
    try:
        monkeypatch.setenv("SMTP_PORT", str(server.port))
        with session_scope(engine) as session:  # skip the backoff
            session.get_one(OutgoingEmail, 1).next_attempt_at = NOW
        assert args.handler(args) == 0
    finally:
        server.stop()
    assert capsys.readouterr().out.strip() == "Envoi des e-mails : 1 e-mail envoyé, 0 reporté, 0 abandonné."
    assert len(server.inbox.received) == 1


def test_every_command_is_registered_with_french_help(capsys: pytest.CaptureFixture[str]) -> None:
    parser = sesame_parser()
    for argv in (
        ["mail", "send"],
        ["mail", "worker", "--interval", "2"],
        ["mail", "sink"],
        ["letters", "export"],
    ):
        assert callable(parser.parse_args(argv).handler)
    args = parser.parse_args(["mail"])
    assert args.handler(args) == 0
    help_text = capsys.readouterr().out
    assert "envoyer une fois les e-mails en attente" in help_text
    assert "puits SMTP local" in help_text
