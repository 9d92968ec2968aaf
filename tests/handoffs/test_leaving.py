"""A way out of the queue: the member's choice recognised, the chat left, the call-back offered at once."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from bot.db.engine import session_scope
from bot.db.enums import AuditKind, HandoffAuthor, HandoffReason, HandoffState
from bot.db.models import AuditEvent, Handoff, HandoffMessage
from bot.handoffs import queue
from bot.handoffs.leaving import (
    CALLBACK_PAYLOAD,
    LEAVE_PAYLOAD,
    SYSTEM_TEXTS,
    Choice,
    NotWaiting,
    leave_queue,
    read_choice,
)
from bot.handoffs.request import CALLBACK_OFFERED, OUTCOME_SLOT, Conversation, ask_for_person, chose_callback
from tests.handoffs.events import RESET_THEN_PERSON, user
from tests.support.on_duty import agent_on_duty, queued_chat

NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    "typed",
    [
        "je préfère être rappelé",
        "finalement je préfère être rappelé",
        "Finalement je prefere etre rappelee !",
        "rappelez-moi",
        "rappelez moi svp",
        "vous me rappelez ?",
        "plutôt un rappel",
        "rappel",
        "annulez, rappelez-moi plutôt",  # a call-back wins over leaving
        CALLBACK_PAYLOAD,
    ],
)
def test_a_call_back_is_recognised(typed: str) -> None:
    assert read_choice(typed) == Choice.CALLBACK


@pytest.mark.parametrize(
    "typed",
    [
        "annuler",
        "Annuler.",
        "laissez tomber",
        "laisse tomber",
        "tant pis",
        "je quitte",
        "plus besoin, merci",
        "je ne veux plus attendre",
        "j'abandonne",
        LEAVE_PAYLOAD,
    ],
)
def test_leaving_is_recognised(typed: str) -> None:
    assert read_choice(typed) == Choice.LEAVE


@pytest.mark.parametrize(
    "typed",
    [
        "bonjour, vous êtes là ?",
        "pas besoin de me rappeler",
        "ne pas annuler ma demande",
        "je ne veux pas être rappelé",
        "Je voudrais annuler mon code d'accès et en recevoir un nouveau par courrier",  # for the agent
        "pouvez-vous me rappeler mon code",  # « remind me », not « call me »
        "rappeler",
        "/rappel_plutot et autre chose",
        "",
    ],
)
def test_anything_else_is_for_the_agent(typed: str) -> None:
    assert read_choice(typed) is None


def waiting_chat(engine: Engine, conversation: str = "conv-1") -> int:
    with session_scope(engine) as session:
        return queued_chat(session, conversation, NOW).id


def test_leaving_ends_the_chat_keeps_the_words_and_audits_without_text(engine: Engine) -> None:
    handoff_id = waiting_chat(engine)
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        queue.member_says(session, handoff, "finalement je préfère être rappelé")
        leave_queue(session, handoff, Choice.CALLBACK, typed=True, now=NOW)
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None and handoff.state == HandoffState.LEFT and handoff.closed_at == NOW
        assert queue.open_for_conversation(session, "conv-1") is None  # a new request may be queued
        lines = session.scalars(select(HandoffMessage).order_by(HandoffMessage.id)).all()
        assert [(m.author, m.text) for m in lines] == [
            (HandoffAuthor.MEMBER, "finalement je préfère être rappelé"),
            (HandoffAuthor.SYSTEM, SYSTEM_TEXTS[Choice.CALLBACK]),
        ]
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.HANDOFF_LEFT)).one()
        assert event.detail == {"prise_en_charge": handoff_id, "choix": "rappel", "bouton": False}


def test_only_a_waiting_chat_can_be_left(engine: Engine) -> None:
    handoff_id = waiting_chat(engine)
    with session_scope(engine) as session:
        agent = agent_on_duty(session, NOW)
        queue.take(session, handoff_id, agent, NOW)
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        with pytest.raises(NotWaiting):
            leave_queue(session, handoff, Choice.LEAVE, typed=False)


def test_a_member_who_chose_a_call_back_is_asked_the_moment_at_once(engine: Engine) -> None:
    """The web tier's « /request_human » with the channel's flag: no queue, even with an agent on duty."""
    with session_scope(engine) as session:
        agent_on_duty(session, NOW)
    chose = {**user("/request_human", "request_human"), "metadata": {"client": "web:abc", "rappel": True}}
    events = [*RESET_THEN_PERSON, chose]
    assert chose_callback(events) and not chose_callback(RESET_THEN_PERSON)
    with session_scope(engine) as session:
        answer = ask_for_person(
            session,
            Conversation("conv-1", events),
            HandoffReason.ASKED,
            hours="",
            contact_phone="",
            contact_hours="",
            now=NOW,
        )
        assert session.scalars(select(Handoff)).all() == []
    assert answer.replies == []  # no « aucun conseiller n'est disponible »: the member chose
    assert answer.slots == {
        OUTCOME_SLOT: CALLBACK_OFFERED,
        "handoff_reason": "asked",
        "callback_wanted": True,
    }
