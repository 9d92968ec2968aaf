"""Talking to the SMTP server: one session per pass, and French, secret-free error summaries."""

from __future__ import annotations

import copy as copy_module
import smtplib
import ssl
from email.message import EmailMessage

from bot.settings import Settings

SMTP_TIMEOUT_SECONDS = 30.0


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
        smtp = smtplib.SMTP(s.smtp_host, s.smtp_port, timeout=SMTP_TIMEOUT_SECONDS)
        try:
            if s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.smtp_user:
                smtp.login(s.smtp_user, s.smtp_password)
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
