"""« Le lien de l'e-mail ne marche pas »: which case applies, when we know the member.

A reset link stops working for four reasons, all rules of Sésame itself: it is
valid ``RESET_TOKEN_TTL_MINUTES`` after the email is sent, it works once, only the
newest request's link works (``bot.resets.requests`` ends the older ones), and a
link copied by hand must be copied whole. Without a known member the bot explains
the four; once the member was looked up in the conversation (slot ``member_ref``),
the latest request in the database tells which one applies. ``actions/reset_link.py``
is the thin adapter; this module never queries the database itself.
"""

from __future__ import annotations

import datetime as dt

from bot.db.enums import EmailStatus, ResetChannel
from bot.dialogue.reset import Reply
from bot.resets.requests import ResetStatus
from bot.rules import french_time

GENERAL = "utter_reset_link_help"


def reply_for_link(status: ResetStatus | None, ttl_minutes: int, now: dt.datetime) -> Reply:
    """The answer to "le lien ne marche pas", from the member's latest request if known."""
    ttl = {"ttl_minutes": str(ttl_minutes)}
    if status is None:
        return Reply(GENERAL, ttl)
    if status.channel == ResetChannel.LETTER:
        requested = french_time.moment(status.requested_at, now)
        return Reply("utter_link_status_letter", {"requested_at": requested})
    email = status.masked_email or ""
    if status.link_used:
        return Reply("utter_link_status_used", {"masked_email": email})
    if status.email_status == EmailStatus.FAILED:
        return Reply("utter_status_email_failed", {"masked_email": email})
    if status.email_status != EmailStatus.SENT or status.link_expires_at is None:
        requested = french_time.moment(status.requested_at, now)
        return Reply("utter_link_status_pending", {"masked_email": email, "requested_at": requested})
    sent = french_time.moment(status.email_sent_at, now) if status.email_sent_at else ""
    if status.link_expires_at <= now:
        return Reply(
            "utter_link_status_expired",
            {"masked_email": email, "sent_at": sent, **ttl},
        )
    expires = french_time.until(status.link_expires_at, now)
    return Reply("utter_link_status_valid", {"masked_email": email, "sent_at": sent, "expires_at": expires})
