"""Asking for an agent tells the truth; a broken reset link gets the case that applies."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.dialogue.reset_link import reply_for_link
from bot.handoffs.request import contact_replies
from bot.resets.requests import ResetStatus

NOW = dt.datetime(2024, 12, 5, 9, 0, tzinfo=dt.timezone.utc)
SENT = NOW - dt.timedelta(minutes=90)


def status(**changes: Any) -> ResetStatus:
    base: dict[str, Any] = {
        "channel": "email",
        "requested_at": SENT,
        "masked_email": "j•••@e•••.fr",
        "email_status": "sent",
        "email_sent_at": SENT,
        "link_expires_at": SENT + dt.timedelta(minutes=60),
        "link_used": False,
        "expected_by": None,
    }
    return ResetStatus(**(base | changes))


def test_contact_details_are_given_only_when_set() -> None:
    [both] = contact_replies(" 01 00 00 00 00 (numéro fictif) ", "de 9 h à 17 h")
    assert both.response == "utter_handoff_contact_phone_hours"
    assert both.values == {"phone": "01 00 00 00 00 (numéro fictif)", "hours": "de 9 h à 17 h"}
    assert [r.response for r in contact_replies("01 00 00 00 00", "")] == ["utter_handoff_contact_phone"]
    # Hours alone tell the member nothing they can use: nothing is said.
    assert contact_replies("", "de 9 h à 17 h") == []
    assert contact_replies("", "") == []


def test_only_the_queue_answer_promises_a_person(domain: dict[str, Any]) -> None:
    """A transfer is promised only once the conversation really is in the agents' queue."""
    promising = set()
    for name, variants in domain["responses"].items():
        for variant in variants:
            text = variant["text"].lower()
            if any(
                p in text for p in ("je transmets", "prendre le relais", "va vous répondre", "je vous passe")
            ):
                promising.add(name)
    assert promising == {"utter_handoff_waiting"}


def test_unknown_member_hears_the_four_cases_with_the_ttl() -> None:
    reply = reply_for_link(None, 45, NOW)
    assert reply.response == "utter_reset_link_help" and reply.values == {"ttl_minutes": "45"}


def test_known_member_hears_the_case_that_applies() -> None:
    assert reply_for_link(status(), 60, NOW).response == "utter_link_status_expired"
    assert reply_for_link(status(link_used=True), 60, NOW).response == "utter_link_status_used"
    valid = reply_for_link(status(link_expires_at=NOW + dt.timedelta(minutes=10)), 60, NOW)
    assert valid.response == "utter_link_status_valid" and valid.values["expires_at"] == "à 10 h 10"
    assert reply_for_link(status(email_status="pending"), 60, NOW).response == "utter_link_status_pending"
    assert reply_for_link(status(email_status="failed"), 60, NOW).response == "utter_status_email_failed"
    letter = status(channel="letter", masked_email=None, email_status=None, link_expires_at=None)
    assert reply_for_link(letter, 60, NOW).response == "utter_link_status_letter"
