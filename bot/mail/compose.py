"""The reset email: French plain text with an escaped HTML alternative.

The link's token is minted by the delivery worker when it sends (``bot.mail.outbox``);
this module only turns a first name, a URL and a lifetime into a message.
"""

from __future__ import annotations

import html
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr

from bot.rules.access_code import ACCESS_CODE_LENGTH
from bot.settings import Settings

SUBJECT = "Réinitialisation de votre code d'accès ACS"


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
    return f"{settings.reset_url_base.rstrip('/')}/{token}"
