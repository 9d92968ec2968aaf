"""The reset email: French plain text with an escaped HTML alternative.

The link's token is minted by the delivery worker when it sends (``bot.mail.outbox``);
this module only turns a first name, a URL and a lifetime into a message. The two
bodies are Jinja2 templates (``bot/mail/templates/``) so that the wording can be
reviewed without reading Python: the HTML one is autoescaped (a first name is
whatever was imported), the text one is not (escaping would show ``&amp;`` to
the member).
"""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from bot.rules.access_code import ACCESS_CODE_LENGTH
from bot.settings import Settings

SUBJECT = "Réinitialisation de votre code d'accès ACS"
TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
_TEMPLATES = Environment(
    loader=FileSystemLoader(TEMPLATES_DIR),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
    undefined=StrictUndefined,
    keep_trailing_newline=True,
)


def _minutes(n: int) -> str:
    return f"{n} minute" if n == 1 else f"{n} minutes"


def _render(name: str, first_name: str, reset_url: str, ttl_minutes: int) -> str:
    return _TEMPLATES.get_template(name).render(
        first_name=first_name,
        reset_url=reset_url,
        lifetime=_minutes(ttl_minutes),
        code_length=ACCESS_CODE_LENGTH,
    )


def _plain_text(first_name: str, reset_url: str, ttl_minutes: int) -> str:
    return _render("reset_email.txt", first_name, reset_url, ttl_minutes)


def _html(first_name: str, reset_url: str, ttl_minutes: int) -> str:
    return _render("reset_email.html", first_name, reset_url, ttl_minutes)


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
    return f"{settings.reset_url_base.rstrip('/')}/{token}"
