"""Asking for a person: a live chat when an agent is on duty, else the truth and a call-back."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason, HandoffState
from bot.db.models import Handoff
from bot.handoffs.request import (
    CALLBACK_OFFERED,
    MAX_PHONE_ATTEMPTS,
    OUTCOME_SLOT,
    QUEUED,
    Answer,
    Conversation,
    answer_to_phone,
    answer_to_time_slot,
    ask_for_person,
    channel_of,
    check_phone,
    check_time_slot,
    failed_twice,
    leave_callback,
    slots_to_ask,
)
from bot.shared.patterns import NIR_MASK
from tests.handoffs.events import NIR, RESET_THEN_PERSON, user
from tests.support.on_duty import agent_on_duty

# A Tuesday, 10:00 in Paris.
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
HOURS = "lun-ven 08:30-18:00"


def conversation(cid: str = "conv-1", events: list[dict[str, Any]] | None = None) -> Conversation:
    return Conversation(cid, events if events is not None else RESET_THEN_PERSON, member_ref="a1b2c3")


def ask(engine: Engine, cid: str = "conv-1", phone: str = "", when: dt.datetime = NOW) -> Answer:
    with session_scope(engine) as session:
        return ask_for_person(
            session,
            conversation(cid),
            HandoffReason.ASKED,
            hours=HOURS,
            contact_phone=phone,
            contact_hours="du lundi au vendredi (fictif)" if phone else "",
            now=when,
        )


def test_with_an_agent_on_duty_the_member_joins_the_queue(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
    first = ask(engine, "conv-1")
    second = ask(engine, "conv-2")
    assert [r.response for r in first.replies] == ["utter_handoff_waiting"]
    assert first.replies[0].values == {"position": "1"} and second.replies[0].values == {"position": "2"}
    assert first.slots == {OUTCOME_SLOT: QUEUED}
    with session_scope(engine) as session:
        handoff = session.get(Handoff, first.handoff_id)
        assert handoff is not None
        assert (handoff.kind, handoff.state, handoff.reason) == (
            HandoffKind.LIVE,
            HandoffState.WAITING,
            HandoffReason.ASKED,
        )
        assert handoff.conversation_id == "conv-1" and handoff.channel == "web"
        assert handoff.member_ref == "a1b2c3"
        assert "Numéro de Sécurité sociale vérifié : oui." in handoff.summary
        assert {"qui": "adherent", "texte": NIR_MASK} in handoff.transcript
        assert NIR not in repr(handoff.transcript) and "482913" not in repr(handoff.transcript)


def test_asking_again_does_not_queue_twice(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
    first, again = ask(engine), ask(engine)
    assert first.handoff_id == again.handoff_id
    assert again.replies[0].values == {"position": "1"}
    with session_scope(engine) as session:
        assert len(session.scalars(select(Handoff)).all()) == 1


def test_nobody_available_is_said_and_a_call_back_offered(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW, available=False)  # signed in, but not « disponible »
    answer = ask(engine)
    assert [r.response for r in answer.replies] == ["utter_handoff_nobody"]
    assert answer.slots == {OUTCOME_SLOT: CALLBACK_OFFERED, "handoff_reason": "asked"}
    assert answer.handoff_id is None
    with session_scope(engine) as session:
        assert session.scalars(select(Handoff)).all() == []


def test_outside_the_hours_is_said_with_the_contact_details_when_set(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
    sunday = dt.datetime(2026, 12, 6, 9, 0, tzinfo=dt.timezone.utc)
    answer = ask(engine, phone="01 00 00 00 00 (fictif)", when=sunday)
    assert [r.response for r in answer.replies] == [
        "utter_handoff_closed",
        "utter_handoff_contact_phone_hours",
    ]
    assert answer.slots[OUTCOME_SLOT] == CALLBACK_OFFERED


def test_the_bot_failing_twice_says_so_first(engine: Engine) -> None:
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
        answer = ask_for_person(
            session,
            conversation(
                events=[user("zzz", "nlu_fallback"), user("???", "nlu_fallback", client="direct:1")]
            ),
            HandoffReason.BOT_FAILED,
            hours="",
            contact_phone="",
            contact_hours="",
            now=NOW,
        )
        handoff = session.get(Handoff, answer.handoff_id)
        assert (
            handoff is not None and handoff.reason == HandoffReason.BOT_FAILED and handoff.channel == "direct"
        )
    assert [r.response for r in answer.replies] == ["utter_handoff_bot_failed", "utter_handoff_waiting"]


def test_a_call_back_is_queued_with_the_number_and_confirmed_masked(engine: Engine) -> None:
    with session_scope(engine) as session:
        answer = leave_callback(
            session, conversation(), reason="bot_failed", time_slot="Le matin", phone="0612345678",
            phone_attempts=1, now=NOW,
        )  # fmt: skip
    [reply] = answer.replies
    assert reply.response == "utter_callback_confirmed"
    assert reply.values == {"masked_phone": "06 •• •• •• 78", "time_slot": "de préférence le matin"}
    with session_scope(engine) as session:
        handoff = session.get(Handoff, answer.handoff_id)
        assert handoff is not None
        assert (handoff.kind, handoff.state, handoff.reason) == (
            HandoffKind.CALLBACK,
            HandoffState.WAITING,
            HandoffReason.BOT_FAILED,
        )
        assert (handoff.callback_phone, handoff.callback_slot) == ("0612345678", "Le matin")
    # Asking for a person afterwards tells where the call-back stands.
    again = ask(engine)
    assert [r.response for r in again.replies] == ["utter_callback_already_queued"]
    assert again.slots == {OUTCOME_SLOT: QUEUED}


def test_no_number_no_call_back(engine: Engine) -> None:
    with session_scope(engine) as session:
        exhausted = leave_callback(
            session, conversation(), reason="asked", time_slot="Peu importe", phone=None,
            phone_attempts=MAX_PHONE_ATTEMPTS, now=NOW,
        )  # fmt: skip
        assert exhausted.replies == [] and session.scalars(select(Handoff)).all() == []


def test_phone_checks_count_the_tries_and_the_last_one_ends_the_form() -> None:
    good = check_phone("06 12 34 56 78", 1)
    assert good.slots == {"callback_phone": "0612345678", "phone_attempts": 1.0} and good.message is None
    bad = check_phone("06 12", 0)
    assert bad.slots == {"callback_phone": None, "phone_attempts": 1.0}
    assert bad.message is not None and "Il manque des chiffres" in bad.message and bad.reply is None
    last = check_phone("08 92 00 00 00", 2)
    assert last.reply is not None and last.reply.response == "utter_callback_phone_attempts_exhausted"
    assert slots_to_ask(CALLBACK_OFFERED, 0) == ["callback_wanted", "callback_slot", "callback_phone"]
    assert slots_to_ask(CALLBACK_OFFERED, 3) == ["callback_wanted", "callback_slot"]
    assert slots_to_ask(QUEUED, 0) == [] and slots_to_ask(None, 0) == []


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Le matin", "Le matin"),
        ("plutot le matin svp", "plutot le matin svp"),
        ("L'après-midi", "L'après-midi"),
        ("  vers   17h ", "vers 17h"),
        ("demain", "demain"),
        ("Peu importe", "Peu importe"),
        ("n'importe quand", "n'importe quand"),
        ("bof", None),
        ("au 06 12 34 56 78", None),
    ],
)
def test_the_moment_is_kept_in_the_members_words_once_it_reads_as_a_time(
    typed: str, kept: str | None
) -> None:
    checked = check_time_slot(typed, NOW)
    assert checked.slots == {"callback_slot": kept}
    assert (checked.message is None) == (kept is not None)
    if kept is None:
        assert checked.message is not None and "vers 17h" in checked.message


def test_the_member_is_told_the_window_read_from_their_words(engine: Engine) -> None:
    with session_scope(engine) as session:
        answer = leave_callback(
            session, conversation(), reason="asked", time_slot="demain vers 17h", phone="0612345678",
            phone_attempts=0, now=NOW,
        )  # fmt: skip
        handoff = session.get(Handoff, answer.handoff_id)
        assert handoff is not None and handoff.callback_slot == "demain vers 17h"
        assert handoff.callback_from is not None and handoff.callback_until is not None
        assert handoff.callback_until - handoff.callback_from == dt.timedelta(hours=1)
    [reply] = answer.replies
    assert reply.values["time_slot"] == "de préférence demain entre 16 h 30 et 17 h 30"


def test_answers_and_digressions_are_told_apart() -> None:
    assert answer_to_time_slot("Le matin", "greet", NOW) == "Le matin"
    assert answer_to_time_slot("vers 17h", "thank", NOW) == "vers 17h"
    assert answer_to_time_slot("comment je me connecte", "how_to_login", NOW) is None
    assert answer_to_time_slot("demain", "nlu_fallback", NOW) == "demain"
    assert answer_to_phone("06 12 34 56 78", "thank") == "06 12 34 56 78"
    assert answer_to_phone("c'est quoi le site ?", "ask_website") is None
    assert answer_to_phone("euh", "nlu_fallback") == "euh"


def test_failures_and_channels_are_read_from_the_events() -> None:
    assert failed_twice([user("a", "greet"), user("b", "nlu_fallback"), user("c", "nlu_fallback")])
    assert not failed_twice([user("b", "nlu_fallback"), user("c", "out_of_scope")])
    assert channel_of([user("a", "greet", client="web:x")]) == "web"
    assert channel_of([user("a", "greet", client="direct:127.0.0.1")]) == "direct"
    assert channel_of([]) == "direct"
