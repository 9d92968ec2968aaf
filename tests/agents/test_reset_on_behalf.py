"""``request_reset`` on a member's behalf: the agent picks the channel, within the same limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from bot.db.engine import session_scope
from bot.db.enums import AuditKind, EmailStatus, ResetChannel
from bot.db.models import AuditEvent, Member, OutgoingEmail, PostalLetter, ResetRequest
from bot.mail.outbox import claim_next
from bot.resets.requests import (
    GLOBAL_REQUESTS_PER_MINUTE,
    MAX_REQUESTS_PER_DAY,
    AlreadyOnItsWay,
    EmailQueued,
    LetterQueued,
    LimitReached,
    LimitScope,
    ResetOutcome,
    request_reset,
)
from tests.agents.conftest import NOW, add_agent

MINUTE = dt.timedelta(minutes=1)


def on_behalf(
    engine: Engine,
    member_id: int,
    agent_id: int | None,
    channel: ResetChannel | None = None,
    at: dt.datetime = NOW,
) -> ResetOutcome:
    with session_scope(engine) as session:
        member = session.get_one(Member, member_id)
        return request_reset(session, member, at, channel=channel, agent_id=agent_id)


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def settle(engine: Engine) -> None:
    """Every email sent and its link used: nothing is on its way any more."""
    with session_scope(engine) as session:
        for request in session.scalars(select(ResetRequest)):
            if request.email is not None:
                request.email.status, request.email.sent_at = EmailStatus.SENT, request.created_at
            request.token_used_at = request.created_at + MINUTE
            if request.letter is not None:
                request.letter.expected_by = NOW.date() - dt.timedelta(days=1)


def test_an_agent_can_send_a_letter_although_an_email_is_known(
    engine: Engine, members: dict[str, int]
) -> None:
    agent = add_agent(engine)
    assert on_behalf(engine, members["email"], agent, ResetChannel.LETTER) == LetterQueued(
        expected_by=dt.date(2026, 12, 8)
    )
    assert count(engine, OutgoingEmail) == 0
    with session_scope(engine) as session:
        request = session.scalars(select(ResetRequest)).one()
        assert (request.channel, request.agent_id, request.client_hash) == ("letter", agent, None)
        assert request.letter is not None
        event = session.scalars(select(AuditEvent).where(AuditEvent.kind == AuditKind.RESET_REQUESTED)).one()
        assert event.detail == {"channel": "letter", "agent_id": agent}


def test_an_agent_asking_for_an_email_gets_it_queued_under_their_name(
    engine: Engine, members: dict[str, int]
) -> None:
    agent = add_agent(engine)
    assert on_behalf(engine, members["email"], agent, ResetChannel.EMAIL) == EmailQueued("j•••@e•••.fr")
    with session_scope(engine) as session:
        request = session.scalars(select(ResetRequest)).one()
        assert request.agent_id == agent and request.email is not None
        assert request.email.to_address == "jeanne.dupont@exemple.fr"


def test_without_a_channel_the_member_rule_picks_it(engine: Engine, members: dict[str, int]) -> None:
    agent = add_agent(engine)
    assert isinstance(on_behalf(engine, members["email"], agent), EmailQueued)
    assert isinstance(on_behalf(engine, members["courrier"], agent), LetterQueued)


def test_an_email_is_refused_when_no_address_is_known_and_nothing_is_written(
    engine: Engine, members: dict[str, int]
) -> None:
    agent = add_agent(engine)
    with pytest.raises(ValueError, match="no email address"):
        on_behalf(engine, members["courrier"], agent, ResetChannel.EMAIL)
    assert count(engine, ResetRequest) == count(engine, AuditEvent) == 0


def test_a_member_asking_in_the_chat_records_no_agent(engine: Engine, members: dict[str, int]) -> None:
    with session_scope(engine) as session:
        request_reset(session, session.get_one(Member, members["email"]), NOW, "f" * 64)
    with session_scope(engine) as session:
        assert session.scalars(select(ResetRequest)).one().agent_id is None


def test_the_same_channel_while_on_its_way_sends_nothing_new(engine: Engine, members: dict[str, int]) -> None:
    agent = add_agent(engine)
    on_behalf(engine, members["email"], agent, ResetChannel.EMAIL)
    again = on_behalf(engine, members["email"], agent, ResetChannel.EMAIL, NOW + MINUTE)
    assert isinstance(again, AlreadyOnItsWay) and again.channel == ResetChannel.EMAIL
    on_behalf(engine, members["courrier"], agent, ResetChannel.LETTER)
    assert isinstance(on_behalf(engine, members["courrier"], agent, ResetChannel.LETTER), AlreadyOnItsWay)
    assert count(engine, ResetRequest) == 2


def test_the_members_24_hour_limit_holds_for_agents_too(engine: Engine, members: dict[str, int]) -> None:
    agent = add_agent(engine)
    member = members["email"]
    with session_scope(engine) as session:  # the member asked once in the chat
        request_reset(session, session.get_one(Member, member), NOW, "f" * 64)
    settle(engine)
    for i in range(1, MAX_REQUESTS_PER_DAY):
        assert isinstance(
            on_behalf(engine, member, agent, ResetChannel.LETTER, NOW + i * MINUTE), LetterQueued
        )
        settle(engine)
    refused = on_behalf(engine, member, agent, ResetChannel.EMAIL, NOW + 2 * dt.timedelta(hours=1))
    assert refused == LimitReached(LimitScope.MEMBER, NOW + dt.timedelta(hours=24))
    assert count(engine, ResetRequest) == MAX_REQUESTS_PER_DAY


def test_the_global_limit_holds_for_agents(engine: Engine, members: dict[str, int]) -> None:
    agent = add_agent(engine)
    with session_scope(engine) as session:  # a flood of requests for another member, this minute
        other = session.get_one(Member, members["courrier"])
        for i in range(GLOBAL_REQUESTS_PER_MINUTE):
            session.add(
                ResetRequest(
                    member=other, channel=ResetChannel.LETTER, created_at=NOW - i * dt.timedelta(seconds=1)
                )
            )
    refused = on_behalf(engine, members["email"], agent, ResetChannel.EMAIL, NOW + dt.timedelta(seconds=10))
    assert refused == LimitReached(LimitScope.EVERYONE, NOW + dt.timedelta(seconds=10) + MINUTE)
    with session_scope(engine) as session:
        assert session.scalars(select(ResetRequest).where(ResetRequest.agent_id.is_not(None))).all() == []
    assert isinstance(
        on_behalf(engine, members["email"], agent, ResetChannel.EMAIL, NOW + 2 * MINUTE), EmailQueued
    )


def test_a_letter_on_its_way_does_not_stop_an_agent_sending_an_email(
    engine: Engine, members: dict[str, int]
) -> None:
    agent = add_agent(engine)
    on_behalf(engine, members["email"], agent, ResetChannel.LETTER)
    assert isinstance(
        on_behalf(engine, members["email"], agent, ResetChannel.EMAIL, NOW + MINUTE), EmailQueued
    )
    assert count(engine, PostalLetter) == count(engine, OutgoingEmail) == 1


def test_a_letter_chosen_while_an_email_waits_leaves_no_working_link(
    engine: Engine, members: dict[str, int]
) -> None:
    agent = add_agent(engine)
    on_behalf(engine, members["email"], agent, ResetChannel.EMAIL)
    assert isinstance(
        on_behalf(engine, members["email"], agent, ResetChannel.LETTER, NOW + MINUTE), LetterQueued
    )
    with session_scope(engine) as session:
        claim = claim_next(session, NOW + 2 * MINUTE, ttl_minutes=60)
    assert claim is None
    with session_scope(engine) as session:
        (email,) = session.scalars(select(OutgoingEmail)).all()
        assert email.status == EmailStatus.WITHDRAWN
