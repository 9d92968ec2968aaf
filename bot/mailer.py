"""Deliver reset emails from the outbox, minting each link's token at send time.

The outbox never holds a token: a row only says "this member should get a reset
email". When a worker sends it, in one transaction it claims the row
(``pending`` → ``sending``, a single compare-and-set UPDATE so that two workers
never send the same email), mints a token and stores its hash and expiry on the
reset request. Only then does it talk to SMTP, and afterwards it marks the row
``sent``. The clear token lives in this process's memory and in the email, nowhere
else.

If SMTP fails the row goes back to ``pending`` with an exponential backoff; after
``MAX_ATTEMPTS`` tries (or at once if the server refuses the address for good) it
is ``failed`` and an audit event says so. While a row is ``sending``, its
``next_attempt_at`` is the end of the worker's lease: a row still ``sending`` after
its lease belongs to a crashed worker and is put back in the queue. Such an email
may then be sent twice (the crash may have come after SMTP accepted it); the second
email's token replaces the first, so only the newest link works.
"""

from __future__ import annotations

import copy as copy_module
import datetime as dt
import html
import logging
import smtplib
import ssl
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from bot.access_code import ACCESS_CODE_LENGTH
from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Member, OutgoingEmail, ResetRequest, utcnow
from bot.settings import Settings
from bot.tokens import mint_token

logger = logging.getLogger(__name__)

SUBJECT = "Réinitialisation de votre code d'accès ACS"
MAX_ATTEMPTS = 10
BACKOFF_FIRST = dt.timedelta(seconds=30)
BACKOFF_CAP = dt.timedelta(minutes=30)
# While the SMTP server is unreachable, how often the queue tries again.
SMTP_DOWN_RETRY = dt.timedelta(seconds=30)
# How long a worker may keep a row in "sending" before another worker takes it
# back; far above SMTP_TIMEOUT_SECONDS so a live worker never loses its row.
SENDING_LEASE = dt.timedelta(minutes=5)
SMTP_TIMEOUT_SECONDS = 30.0


# --- the email ------------------------------------------------------------------------


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def _plain_text(first_name: str, reset_url: str, ttl_minutes: int) -> str:
    return f"""Bonjour {first_name},

Vous avez demandé à réinitialiser le code d'accès de votre Espace Adhérent ACS.
Pour choisir votre nouveau code, ouvrez ce lien :

{reset_url}

Ce lien est valable {_minutes(ttl_minutes)} et ne peut servir qu'une seule fois.
Vous y créerez votre code d'accès personnel, composé d'exactement \
{ACCESS_CODE_LENGTH} chiffres. Choisissez un code que vous êtes seul à connaître.

ACS ne vous demandera jamais votre code d'accès : ni par e-mail, ni par téléphone,
ni par l'assistant Sésame. Ne le communiquez à personne.

Vous n'avez rien demandé ? N'ouvrez pas le lien et ignorez ce message : il expirera
de lui-même et votre compte ne sera pas modifié. Si vous recevez ce message plusieurs
fois sans l'avoir demandé, signalez-le à votre conseiller ACS.

Cordialement,
L'équipe ACS

Ce message est envoyé automatiquement, merci de ne pas y répondre.
"""


def _html(first_name: str, reset_url: str, ttl_minutes: int) -> str:
    name, url = html.escape(first_name), html.escape(reset_url, quote=True)
    return f"""<!DOCTYPE html>
<html lang="fr">
<body>
<p>Bonjour {name},</p>
<p>Vous avez demandé à réinitialiser le code d'accès de votre Espace Adhérent ACS.
Pour choisir votre nouveau code, ouvrez ce lien :</p>
<p><a href="{url}">{url}</a></p>
<p>Ce lien est valable {_minutes(ttl_minutes)} et ne peut servir qu'une seule fois.
Vous y créerez votre code d'accès personnel, composé d'exactement {ACCESS_CODE_LENGTH} chiffres.
Choisissez un code que vous êtes seul à connaître.</p>
<p><strong>ACS ne vous demandera jamais votre code d'accès</strong> : ni par e-mail,
ni par téléphone, ni par l'assistant Sésame. Ne le communiquez à personne.</p>
<p>Vous n'avez rien demandé ? N'ouvrez pas le lien et ignorez ce message : il expirera
de lui-même et votre compte ne sera pas modifié. Si vous recevez ce message plusieurs
fois sans l'avoir demandé, signalez-le à votre conseiller ACS.</p>
<p>Cordialement,<br>L'équipe ACS</p>
<p><small>Ce message est envoyé automatiquement, merci de ne pas y répondre.</small></p>
</body>
</html>
"""


def compose_reset_email(
    member_first_name: str, to_address: str, reset_url: str, ttl_minutes: int, mail_from: str
) -> EmailMessage:
    """The reset email: French plain text, with an escaped HTML alternative.

    The body is 8-bit UTF-8, so that the ``.eml`` files of the local sink can be
    read and the link copied as is; ``SmtpConnection`` falls back to
    quoted-printable for the rare relay without 8BITMIME.
    """
    message = EmailMessage()
    message["Subject"] = SUBJECT
    message["From"] = mail_from
    message["To"] = to_address
    message["Date"] = formatdate(localtime=False, usegmt=True)
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or None
    message["Message-ID"] = make_msgid(domain=domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(_plain_text(member_first_name, reset_url, ttl_minutes), cte="8bit")
    message.add_alternative(_html(member_first_name, reset_url, ttl_minutes), subtype="html", cte="8bit")
    return message


def reset_url(settings: Settings, token: str) -> str:
    return f"{settings['RESET_URL_BASE'].rstrip('/')}/{token}"


# --- retry policy ---------------------------------------------------------------------


def backoff(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failure: 30 s, 1 min, 2 min… at most 30 min."""
    doublings = min(max(attempts - 1, 0), 16)  # bounded: 2**16 * 30 s is far past the cap
    wait: dt.timedelta = BACKOFF_FIRST * 2**doublings
    return min(wait, BACKOFF_CAP)


def describe_error(exc: BaseException) -> str:
    """A French, secret-free summary of an SMTP failure, for ``last_error`` and the logs.

    Server replies are left out: they may echo what we sent.
    """
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        codes = sorted({code for code, _ in exc.recipients.values()})
        return f"adresse refusée par le serveur SMTP (code {', '.join(map(str, codes))})"
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return f"authentification SMTP refusée (code {exc.smtp_code}) : vérifiez SMTP_USER et SMTP_PASSWORD"
    if isinstance(exc, smtplib.SMTPResponseException):
        return f"refus du serveur SMTP (code {exc.smtp_code}, {type(exc).__name__})"
    if isinstance(exc, smtplib.SMTPServerDisconnected):
        return "connexion SMTP coupée par le serveur"
    if isinstance(exc, TimeoutError):
        return "serveur SMTP trop lent à répondre (délai dépassé)"
    if isinstance(exc, ConnectionRefusedError):
        return "serveur SMTP injoignable (connexion refusée)"
    if isinstance(exc, OSError) and exc.strerror:
        return f"serveur SMTP injoignable ({type(exc).__name__} : {exc.strerror})"
    return f"échec de l'envoi ({type(exc).__name__})"


def is_permanent(exc: BaseException) -> bool:
    """The server refused every recipient for good (5xx): retrying cannot help."""
    return isinstance(exc, smtplib.SMTPRecipientsRefused) and all(
        code >= 500 for code, _ in exc.recipients.values()
    )


# --- claiming and recording, one short transaction each ---------------------------------

INTERRUPTED = "envoi interrompu (worker arrêté pendant l'envoi)"


@dataclass(frozen=True)
class Claim:
    """An email this worker now owns; ``token`` is the only clear copy of the link's token."""

    outbox_id: int
    member_id: int
    first_name: str
    to_address: str
    attempts: int
    token: str = field(repr=False)  # never in a log line, even by accident


def claim_next(session: Session, now: dt.datetime, ttl_minutes: int) -> Claim | None:
    """Take the most overdue pending email and mint its link's token, in ``session``.

    One UPDATE both picks and claims the row: on PostgreSQL its sub-select skips
    rows another worker has locked, and the ``status = 'pending'`` guard makes the
    claim a compare-and-set everywhere; on SQLite the UPDATE takes the write lock
    first, so two workers cannot deadlock. The caller commits.
    """
    due = (
        select(OutgoingEmail.id)
        .where(OutgoingEmail.status == "pending", OutgoingEmail.next_attempt_at <= now)
        .order_by(OutgoingEmail.next_attempt_at, OutgoingEmail.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed = session.execute(
        update(OutgoingEmail)
        .where(OutgoingEmail.id == due, OutgoingEmail.status == "pending")
        .values(status="sending", attempts=OutgoingEmail.attempts + 1, next_attempt_at=now + SENDING_LEASE)
        .returning(
            OutgoingEmail.id, OutgoingEmail.reset_request_id, OutgoingEmail.to_address, OutgoingEmail.attempts
        )
        .execution_options(synchronize_session=False)
    ).first()
    if claimed is None:
        return None
    outbox_id, request_id, to_address, attempts = claimed
    request = session.get_one(ResetRequest, request_id)
    token, token_hash = mint_token()
    request.token_hash = token_hash
    request.token_expires_at = now + dt.timedelta(minutes=ttl_minutes)
    member: Member = request.member
    return Claim(outbox_id, member.id, member.first_name, to_address, attempts, token)


def _audit(session: Session, kind: str, member_id: int | None, **detail: object) -> None:
    session.add(AuditEvent(kind=kind, member_id=member_id, detail=detail))


def mark_sent(engine: Engine, claim: Claim, now: dt.datetime) -> bool:
    """Record a successful send; False if the row was no longer ours (lease lost)."""
    with session_scope(engine) as session:
        done = session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == claim.outbox_id, OutgoingEmail.status == "sending")
            .values(status="sent", sent_at=now)
            .returning(OutgoingEmail.id)
            .execution_options(synchronize_session=False)
        ).first()
        if done is not None:
            _audit(
                session,
                "reset_email_sent",
                claim.member_id,
                outbox_id=claim.outbox_id,
                attempts=claim.attempts,
            )
        return done is not None


def record_failure(
    engine: Engine, claim: Claim, exc: BaseException, now: dt.datetime, *, server_unreachable: bool = False
) -> str:
    """Put the email back in the queue after a backoff, or give up; returns "postponed" or "failed".

    When the SMTP server cannot be reached at all the email is not at fault: the
    try is not counted and it is retried every ``SMTP_DOWN_RETRY``, however long
    the outage lasts, so nothing is lost. Returns "lost" if the row was no longer
    ours (another worker took it back).
    """
    error = describe_error(exc)
    give_up = not server_unreachable and (is_permanent(exc) or claim.attempts >= MAX_ATTEMPTS)
    values: dict[str, object] = {"last_error": error}
    if give_up:
        values["status"] = "failed"
    elif server_unreachable:
        values.update(
            status="pending", attempts=OutgoingEmail.attempts - 1, next_attempt_at=now + SMTP_DOWN_RETRY
        )
    else:
        values.update(status="pending", next_attempt_at=now + backoff(claim.attempts))
    with session_scope(engine) as session:
        done = session.execute(
            update(OutgoingEmail)
            .where(OutgoingEmail.id == claim.outbox_id, OutgoingEmail.status == "sending")
            .values(**values)
            .returning(OutgoingEmail.id)
            .execution_options(synchronize_session=False)
        ).first()
        if done is None:
            return "lost"
        if give_up:
            _audit(
                session,
                "reset_email_failed",
                claim.member_id,
                outbox_id=claim.outbox_id,
                attempts=claim.attempts,
                error=error,
            )
    return "failed" if give_up else "postponed"


def reclaim_stale(engine: Engine, now: dt.datetime) -> int:
    """Put back in the queue the emails of workers that died while sending them.

    A row whose lease ran out with no tries left is failed (and audited) instead.
    """
    stale = (OutgoingEmail.status == "sending", OutgoingEmail.next_attempt_at < now)
    with session_scope(engine) as session:
        given_up = session.execute(
            update(OutgoingEmail)
            .where(*stale, OutgoingEmail.attempts >= MAX_ATTEMPTS)
            .values(status="failed", last_error=INTERRUPTED)
            .returning(OutgoingEmail.id, OutgoingEmail.reset_request_id, OutgoingEmail.attempts)
            .execution_options(synchronize_session=False)
        ).all()
        for outbox_id, request_id, attempts in given_up:
            member_id = session.scalar(select(ResetRequest.member_id).where(ResetRequest.id == request_id))
            _audit(
                session,
                "reset_email_failed",
                member_id,
                outbox_id=outbox_id,
                attempts=attempts,
                error=INTERRUPTED,
            )
        requeued = session.execute(
            update(OutgoingEmail)
            .where(*stale)
            .values(status="pending", last_error=INTERRUPTED, next_attempt_at=now)
            .returning(OutgoingEmail.id)
            .execution_options(synchronize_session=False)
        ).all()
    for (outbox_id,) in requeued:
        logger.warning("E-mail n°%s repris après l'arrêt d'un worker pendant son envoi.", outbox_id)
    return len(requeued) + len(given_up)


# --- SMTP -----------------------------------------------------------------------------


class SmtpUnavailable(Exception):
    """Connecting, STARTTLS or logging in failed: no email can go in this pass."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(describe_error(cause))
        self.cause = cause


def as_7bit(message: EmailMessage) -> EmailMessage:
    """A copy of ``message`` whose text parts are quoted-printable, for relays without 8BITMIME."""
    copy = copy_module.deepcopy(message)
    for part in copy.walk():
        is_8bit_text = part.get_content_maintype() == "text" and part["Content-Transfer-Encoding"] == "8bit"
        if is_8bit_text and isinstance(part, EmailMessage):
            part.set_content(part.get_content(), subtype=part.get_content_subtype(), cte="quoted-printable")
    return copy


class SmtpConnection:
    """One SMTP session, opened at the first email of a pass and reused for the next ones."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._smtp: smtplib.SMTP | None = None

    def _open(self) -> smtplib.SMTP:
        s = self._settings
        smtp = smtplib.SMTP(s["SMTP_HOST"], s.as_int("SMTP_PORT"), timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if s.as_bool("SMTP_STARTTLS"):
                smtp.starttls(context=ssl.create_default_context())
            if s["SMTP_USER"]:
                smtp.login(s["SMTP_USER"], s["SMTP_PASSWORD"])
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self._smtp is None:
            try:
                self._smtp = self._open()
            except OSError as exc:  # smtplib.SMTPException is an OSError
                raise SmtpUnavailable(exc) from exc
        try:
            if self._smtp.has_extn("8bitmime"):
                self._smtp.send_message(message, mail_options=["BODY=8BITMIME"])
            else:
                self._smtp.send_message(as_7bit(message))
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except OSError:
            smtp.close()


# --- the worker -----------------------------------------------------------------------


@dataclass
class DeliveryReport:
    """What one pass over the outbox did."""

    sent: int = 0
    postponed: int = 0
    failed: int = 0
    reclaimed: int = 0
    smtp_unavailable: bool = False


def deliver_due(
    engine: Engine, settings: Settings, now: dt.datetime | None = None, *, stop: threading.Event | None = None
) -> DeliveryReport:
    """Send every email that is due, each once; ``now`` fixes the clock (tests).

    If the SMTP server cannot be reached the pass stops after the first email
    (rescheduled with a backoff): the others stay pending, untouched, for the next pass.
    """
    if now is not None and now.tzinfo is None:
        raise ValueError("naive datetime: use timezone-aware UTC datetimes")

    def clock() -> dt.datetime:
        return now if now is not None else utcnow()

    ttl = settings.as_int("RESET_TOKEN_TTL_MINUTES")
    report = DeliveryReport(reclaimed=reclaim_stale(engine, clock()))
    connection = SmtpConnection(settings)
    try:
        while stop is None or not stop.is_set():
            with session_scope(engine) as session:
                claim = claim_next(session, clock(), ttl)
            if claim is None:
                break
            try:
                message = compose_reset_email(
                    claim.first_name,
                    claim.to_address,
                    reset_url(settings, claim.token),
                    ttl,
                    settings["MAIL_FROM"],
                )
                connection.send(message)
            except Exception as exc:
                cause = exc.cause if isinstance(exc, SmtpUnavailable) else exc
                outcome = record_failure(
                    engine, claim, cause, clock(), server_unreachable=isinstance(exc, SmtpUnavailable)
                )
                logger.warning(
                    "E-mail n°%s non envoyé (%s) : %s.",
                    claim.outbox_id,
                    describe_error(cause),
                    "abandonné" if outcome == "failed" else "nouvel essai plus tard",
                )
                if outcome == "failed":
                    report.failed += 1
                elif outcome == "postponed":
                    report.postponed += 1
                if isinstance(exc, SmtpUnavailable):
                    report.smtp_unavailable = True
                    break
                continue
            if mark_sent(engine, claim, clock()):
                report.sent += 1
                logger.info("E-mail de réinitialisation n°%s envoyé.", claim.outbox_id)
            else:
                logger.warning(
                    "E-mail n°%s envoyé après la fin de son bail : il a pu partir deux fois.", claim.outbox_id
                )
    finally:
        connection.close()
    return report


def run_worker(
    engine: Engine, settings: Settings, stop_event: threading.Event, poll_seconds: float = 5.0
) -> None:
    """Pass over the outbox every ``poll_seconds`` until ``stop_event`` is set.

    A failed pass (database unreachable…) is logged and retried at the next tick:
    the worker itself never dies of it.
    """
    logger.info("Worker d'envoi démarré (une passe toutes les %s s).", poll_seconds)
    while not stop_event.is_set():
        try:
            report = deliver_due(engine, settings, stop=stop_event)
        except Exception as exc:
            # The type only: database errors may quote the parameters of the statement.
            logger.error(
                "Passe d'envoi interrompue (%s) ; nouvel essai au prochain tour.", type(exc).__name__
            )
        else:
            if report.sent or report.postponed or report.failed or report.reclaimed:
                logger.info(
                    "Passe d'envoi : %d envoyé(s), %d reporté(s), %d abandonné(s), %d repris.",
                    report.sent,
                    report.postponed,
                    report.failed,
                    report.reclaimed,
                )
        stop_event.wait(poll_seconds)
    logger.info("Worker d'envoi arrêté.")
