"""Reset requests: email or letter, in one transaction, within the abuse limits."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, func, select

from bot.db.engine import session_scope
from bot.db.models import EmailStatus, Member, OutgoingEmail, PostalLetter, ResetRequest
from bot.resets.requests import (
    GLOBAL_REQUESTS_PER_MINUTE,
    MAX_REQUESTS_PER_DAY,
    AlreadyOnItsWay,
    EmailQueued,
    LetterQueued,
    LimitReached,
    LimitScope,
    request_reset,
    reset_status,
)
from bot.settings import Settings

NOW = dt.datetime(2026, 11, 27, 10, 0, tzinfo=dt.timezone.utc)


def add_member(engine: Engine, email: str | None) -> int:
    with session_scope(engine) as session:
        member = Member(
            nir_hash=("e" if email else "l") * 64, first_name="Zoé", last_name="Martin", email=email,
            street="1 rue de la Paix", postal_code="75002", city="Paris",
        )  # fmt: skip
        session.add(member)
        session.flush()
        return member.id


def ask(engine: Engine, member_id: int, now: dt.datetime) -> object:
    with session_scope(engine) as session:
        return request_reset(session, session.get_one(Member, member_id), now)


def mark_sent(engine: Engine, at: dt.datetime, used: bool = False) -> None:
    with session_scope(engine) as session:
        pending = select(OutgoingEmail).where(OutgoingEmail.status == EmailStatus.PENDING)
        for email in session.scalars(pending):
            email.status, email.sent_at = EmailStatus.SENT, at
            email.reset_request.token_hash = "f" * 64 if email.id == 1 else f"{email.id:064d}"
            email.reset_request.token_expires_at = at + dt.timedelta(minutes=60)
            if used:
                email.reset_request.token_used_at = at + dt.timedelta(minutes=1)


def count(engine: Engine, model: type) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_member_with_email_gets_a_queued_email(engine: Engine) -> None:
    member_id = add_member(engine, "jeanne.dupont@exemple.fr")
    assert ask(engine, member_id, NOW) == EmailQueued(masked_email="j•••@e•••.fr")
    with session_scope(engine) as session:
        email = session.scalars(select(OutgoingEmail)).one()
        assert (email.status, email.to_address) == ("pending", "jeanne.dupont@exemple.fr")
        assert email.reset_request.token_hash is None  # minted only when the email is sent
    assert count(engine, PostalLetter) == 0


def test_member_without_email_gets_a_letter_within_eight_days(engine: Engine) -> None:
    member_id = add_member(engine, None)
    assert ask(engine, member_id, NOW) == LetterQueued(expected_by=dt.date(2026, 12, 5))
    assert count(engine, OutgoingEmail) == 0


def test_repeat_while_email_pending_says_it_is_on_its_way(engine: Engine) -> None:
    member_id = add_member(engine, "jeanne.dupont@exemple.fr")
    ask(engine, member_id, NOW)
    outcome = ask(engine, member_id, NOW + dt.timedelta(minutes=2))
    assert isinstance(outcome, AlreadyOnItsWay)
    assert (outcome.channel, outcome.masked_email, outcome.email_sent) == ("email", "j•••@e•••.fr", False)
    assert count(engine, ResetRequest) == 1


def test_repeat_shortly_after_sending_says_it_was_sent(engine: Engine) -> None:
    member_id = add_member(engine, "jeanne.dupont@exemple.fr")
    ask(engine, member_id, NOW)
    mark_sent(engine, NOW + dt.timedelta(minutes=1))
    outcome = ask(engine, member_id, NOW + dt.timedelta(minutes=5))
    assert isinstance(outcome, AlreadyOnItsWay) and outcome.email_sent
    assert count(engine, OutgoingEmail) == 1


def test_used_link_allows_a_new_request(engine: Engine) -> None:
    member_id = add_member(engine, "jeanne.dupont@exemple.fr")
    ask(engine, member_id, NOW)
    mark_sent(engine, NOW + dt.timedelta(minutes=1), used=True)
    assert isinstance(ask(engine, member_id, NOW + dt.timedelta(minutes=5)), EmailQueued)
    assert count(engine, OutgoingEmail) == 2


def test_letter_repeat_within_eight_days_sends_nothing_new(engine: Engine) -> None:
    member_id = add_member(engine, None)
    ask(engine, member_id, NOW)
    outcome = ask(engine, member_id, NOW + dt.timedelta(days=3))
    assert isinstance(outcome, AlreadyOnItsWay)
    assert outcome.expected_by == dt.date(2026, 12, 5)
    assert count(engine, PostalLetter) == 1


def test_more_than_three_requests_a_day_are_refused(engine: Engine) -> None:
    member_id = add_member(engine, "jeanne.dupont@exemple.fr")
    for i in range(MAX_REQUESTS_PER_DAY):
        at = NOW + dt.timedelta(minutes=20 * i)
        assert isinstance(ask(engine, member_id, at), EmailQueued)
        mark_sent(engine, at, used=True)
    outcome = ask(engine, member_id, NOW + dt.timedelta(hours=2))
    assert outcome == LimitReached(LimitScope.MEMBER, NOW + dt.timedelta(hours=24))
    assert count(engine, ResetRequest) == MAX_REQUESTS_PER_DAY
    assert isinstance(ask(engine, member_id, NOW + dt.timedelta(hours=24, minutes=1)), EmailQueued)


@pytest.mark.parametrize("email", ["jeanne.dupont@exemple.fr", None])
def test_status_tells_what_was_asked(engine: Engine, email: str | None) -> None:
    member_id = add_member(engine, email)
    with session_scope(engine) as session:
        assert reset_status(session, session.get_one(Member, member_id)) is None
    ask(engine, member_id, NOW)
    with session_scope(engine) as session:
        status = reset_status(session, session.get_one(Member, member_id))
    assert status is not None
    if email:
        assert (status.channel, status.email_status, status.masked_email) == (
            "email",
            "pending",
            "j•••@e•••.fr",
        )
    else:
        assert (status.channel, status.expected_by) == ("letter", dt.date(2026, 12, 5))


def test_a_new_request_ends_the_older_links(engine: Engine) -> None:
    """Only the newest email's link works: the bot and the reset page can say which one."""
    member_id = add_member(engine, "jeanne.dupont@exemple.fr")
    ask(engine, member_id, NOW)
    mark_sent(engine, NOW + dt.timedelta(minutes=1))
    later = NOW + dt.timedelta(minutes=30)  # the first link is still alive, no longer "in flight"
    assert isinstance(ask(engine, member_id, later), EmailQueued)
    with session_scope(engine) as session:
        first = session.scalars(select(ResetRequest).order_by(ResetRequest.id)).first()
        assert first is not None and first.token_expires_at is not None
        assert first.token_expires_at.replace(tzinfo=dt.timezone.utc) <= later


def test_the_global_pause_follows_the_operators_setting(engine: Engine) -> None:
    """RESET_REQUESTS_PER_MINUTE: above it, everyone waits for the next minute."""
    members = [add_member_numbered(engine, i) for i in range(3)]
    with session_scope(engine) as session:
        for member_id in members[:2]:
            outcome = request_reset(session, session.get_one(Member, member_id), NOW, "c" * 64, per_minute=2)
            assert isinstance(outcome, EmailQueued)
    with session_scope(engine) as session:
        paused = request_reset(session, session.get_one(Member, members[2]), NOW, "d" * 64, per_minute=2)
    assert paused == LimitReached(LimitScope.EVERYONE, NOW + dt.timedelta(minutes=1))
    with session_scope(engine) as session:
        allowed = request_reset(session, session.get_one(Member, members[2]), NOW, "d" * 64, per_minute=3)
    assert isinstance(allowed, EmailQueued)
    assert Settings.from_values({}).reset_requests_per_minute == GLOBAL_REQUESTS_PER_MINUTE == 30


def add_member_numbered(engine: Engine, index: int) -> int:
    with session_scope(engine) as session:
        member = Member(
            nir_hash=f"{index:x}" * 64, first_name="Zoé", last_name="Martin",
            email=f"z{index}@adherents.example", street="1 rue de la Paix", postal_code="75002", city="Paris",
        )  # fmt: skip
        session.add(member)
        session.flush()
        return member.id
