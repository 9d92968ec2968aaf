"""What the bot says when a member asks for an agent.

Sésame cannot hand a conversation over yet (no agent sees it), so it must not
promise a transfer: it says so, and gives ACS's phone number and opening hours
when the operator set them (``ACS_CONTACT_PHONE``, ``ACS_CONTACT_HOURS``). These
are facts the bot may not invent: when they are unset, it says nothing about them.
"""

from __future__ import annotations

from bot.dialogue.reset import Reply

WITH_PHONE_AND_HOURS = "utter_request_human_phone_hours"
WITH_PHONE = "utter_request_human_phone"
WITHOUT_CONTACT = "utter_request_human_no_contact"


def contact_reply(phone: str, hours: str) -> Reply:
    """The answer to "je veux parler à un conseiller", with whatever contact details are set.

    Hours alone tell the member nothing they can use (when, but not how), so they
    are only given with a phone number.
    """
    phone, hours = phone.strip(), hours.strip()
    if phone and hours:
        return Reply(WITH_PHONE_AND_HOURS, {"phone": phone, "hours": hours})
    if phone:
        return Reply(WITH_PHONE, {"phone": phone})
    return Reply(WITHOUT_CONTACT)
