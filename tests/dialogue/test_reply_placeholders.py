"""Every {placeholder} of a response is filled by the code, and the code fills nothing else.

Trainers reword responses in domain/responses/; a placeholder they rename or add by
mistake would reach the member as "{masked_email}" (Rasa leaves unknown ones as
they are). The code's side: every Reply that bot/dialogue/reset.py can build, for
every outcome and status, and the responses the actions utter with no values.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from bot.db.enums import ResetChannel
from bot.dialogue.login_help import PROBLEM_ANSWERS, UNKNOWN_PROBLEM_ANSWER
from bot.dialogue.reset import (
    LookupPaused,
    NirRefused,
    Reply,
    check_nir,
    confirmation_question,
    reply_for_outcome,
    reply_for_status,
)
from bot.dialogue.reset_link import reply_for_link
from bot.handoffs.request import (
    TIME_SLOTS,
    already_queued_reply,
    check_phone,
    confirmed_reply,
    contact_replies,
    waiting_reply,
)
from bot.limits.lookups import LookupRefused
from bot.resets.requests import (
    AlreadyOnItsWay,
    EmailQueued,
    LetterQueued,
    LimitReached,
    LimitScope,
    ResetStatus,
)
from bot.rules.callback_time import ANY_TIME, parse_callback_time
from tests.conftest import ROOT, load_yaml, training_files
from tests.support.nirs import with_key

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NOW = dt.datetime(2024, 12, 5, 9, 0, tzinfo=dt.timezone.utc)
EARLIER = NOW - dt.timedelta(minutes=5)
LATER = NOW + dt.timedelta(hours=1)
# The call-back's buttons and a moment in the member's words.
WINDOWS = [
    (said, parse_callback_time(said, NOW) or ANY_TIME)
    for said in (*TIME_SLOTS, "vers 17h", "quand vous voulez")
]
DAY = dt.date(2024, 12, 13)
MASKED = "j***@e***.fr"


def status(**changes: Any) -> ResetStatus:
    base: dict[str, Any] = {
        "channel": "email",
        "requested_at": EARLIER,
        "masked_email": MASKED,
        "email_status": "pending",
        "email_sent_at": None,
        "link_expires_at": None,
        "link_used": False,
        "expected_by": None,
    }
    return ResetStatus(**(base | changes))


EMAIL, LETTER = ResetChannel.EMAIL, ResetChannel.LETTER


def every_reply() -> list[Reply]:
    """Each branch of bot/dialogue/reset.py that returns a Reply."""
    unknown_nir = check_nir(with_key("1840775123456"), "key", lambda ref: None, NOW)
    assert isinstance(unknown_nir, NirRefused) and unknown_nir.reply is not None
    paused = [
        check_nir(with_key("1840775123456"), "key", lambda ref: LookupRefused(LATER, everyone=False), NOW),
        check_nir(with_key("1840775123456"), "key", lambda ref: LookupRefused(LATER, everyone=True), NOW),
    ]
    assert all(isinstance(result, LookupPaused) for result in paused)
    return [
        unknown_nir.reply,
        *(result.reply for result in paused if isinstance(result, LookupPaused)),
        reply_for_outcome(LimitReached(LimitScope.CLIENT, LATER), 60, NOW),
        reply_for_outcome(LimitReached(LimitScope.EVERYONE, LATER), 60, NOW),
        confirmation_question(MASKED),
        confirmation_question(None),
        reply_for_outcome(EmailQueued(MASKED), 60, NOW),
        reply_for_outcome(LetterQueued(DAY), 60, NOW),
        reply_for_outcome(AlreadyOnItsWay(EMAIL, EARLIER, MASKED, None, email_sent=True), 60, NOW),
        reply_for_outcome(AlreadyOnItsWay(EMAIL, EARLIER, MASKED, None, email_sent=False), 60, NOW),
        reply_for_outcome(AlreadyOnItsWay(LETTER, EARLIER, None, DAY, email_sent=False), 60, NOW),
        reply_for_outcome(AlreadyOnItsWay(LETTER, EARLIER, None, None, email_sent=False), 60, NOW),
        reply_for_outcome(LimitReached(LimitScope.MEMBER, LATER), 60, NOW),
        reply_for_status(None, "email_not_received", NOW),
        reply_for_status(None, "postal_letter", NOW),
        reply_for_status(status(channel="letter", masked_email=None, expected_by=DAY), "postal_letter", NOW),
        reply_for_status(status(link_used=True, email_status="sent", email_sent_at=EARLIER), "x", NOW),
        reply_for_status(status(email_status="failed"), "email_not_received", NOW),
        reply_for_status(
            status(email_status="sent", email_sent_at=EARLIER, link_expires_at=LATER),
            "email_not_received",
            NOW,
        ),
        reply_for_status(status(email_status="sent", email_sent_at=EARLIER), "email_not_received", NOW),
        reply_for_status(status(email_status="pending"), "email_not_received", NOW),
        reply_for_status(status(email_status="sending"), "email_not_received", NOW),
        *every_contact_and_link_reply(),
    ]


def every_contact_and_link_reply() -> list[Reply]:
    """Each branch of the contact details (bot/handoffs/request.py) and bot/dialogue/reset_link.py.

    The hand-off replies that need a database are checked in tests/handoffs/.
    """
    sent = {"email_status": "sent", "email_sent_at": EARLIER}
    return [
        *contact_replies("01 00 00 00 00 (numéro fictif)", "de 9 h à 17 h (fictif)"),
        *contact_replies("01 00 00 00 00 (numéro fictif)", ""),
        *(r for r in [check_phone("06", 2).reply] if r is not None),
        waiting_reply(3),
        already_queued_reply("0612345678"),
        *(confirmed_reply("0612345678", said, window, NOW) for said, window in WINDOWS),
        reply_for_link(None, 60, NOW),
        reply_for_link(status(channel="letter", masked_email=None, expected_by=DAY), 60, NOW),
        reply_for_link(status(link_used=True, **sent), 60, NOW),
        reply_for_link(status(email_status="failed"), 60, NOW),
        reply_for_link(status(email_status="pending"), 60, NOW),
        reply_for_link(status(link_expires_at=EARLIER, **sent), 60, NOW),
        reply_for_link(status(link_expires_at=LATER, **sent), 60, NOW),
    ]


def placeholders(domain: dict[str, Any], response: str) -> list[set[str]]:
    """The placeholders of each variant of ``response`` (texts and button titles)."""
    found = []
    for variant in domain["responses"][response]:
        texts = [variant.get("text", ""), *(b.get("title", "") for b in variant.get("buttons", []))]
        found.append({name for text in texts for name in PLACEHOLDER.findall(text)})
    return found


@pytest.mark.parametrize("reply", every_reply(), ids=lambda r: r.response)
def test_the_code_fills_exactly_the_placeholders_of_its_reply(domain: dict[str, Any], reply: Reply) -> None:
    assert reply.response in domain["responses"], f"{reply.response} n'existe pas dans domain/responses/"
    for wanted in placeholders(domain, reply.response):
        assert wanted == set(reply.values), (
            f"{reply.response} : la réponse contient {sorted(wanted)}, le programme remplit "
            f"{sorted(reply.values)}. Gardez les {{…}} tels qu'ils étaient."
        )
    assert all(isinstance(v, str) for v in reply.values.values())


def responses_uttered_without_values() -> set[str]:
    """Responses the actions, the diagnostic and the rules utter as they are."""
    named = set(PROBLEM_ANSWERS.values()) | {UNKNOWN_PROBLEM_ANSWER}
    for path in (ROOT / "actions").glob("*.py"):
        named |= set(re.findall(r"utter_message\(response=\"(utter_[a-z_]+)\"\)", path.read_text("utf-8")))
    for path in [*training_files("rules"), *training_files("stories")]:
        data = load_yaml(path)
        for flow in data.get("rules", []) + data.get("stories", []):
            named |= {s["action"] for s in flow["steps"] if str(s.get("action", "")).startswith("utter_")}
    return named


def test_responses_uttered_as_they_are_have_no_placeholder(domain: dict[str, Any]) -> None:
    named = responses_uttered_without_values()
    assert "utter_reset_unavailable" in named and "utter_too_many_attempts" in named
    for response in sorted(named):
        for found in placeholders(domain, response):
            assert not found, f"{response} : {sorted(found)} ne sera remplacé par rien ; retirez les {{…}}."


def test_every_response_with_placeholders_is_filled_by_the_code(domain: dict[str, Any]) -> None:
    filled = {reply.response for reply in every_reply()}
    with_placeholders = {name for name in domain["responses"] if any(placeholders(domain, name))}
    assert with_placeholders <= filled, (
        f"Réponses avec des {{…}} que le programme ne remplit pas : {sorted(with_placeholders - filled)}"
    )
