"""The schema works the same on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine, select

from bot.db.engine import session_scope
from bot.db.models import Member, OutgoingEmail, ResetRequest


def test_member_with_reset_and_email_round_trips(engine: Engine) -> None:
    with session_scope(engine) as session:
        member = Member(
            nir_hash="a" * 64, first_name="Zoé", last_name="Martin", email="zoe@example.org",
            street="1 rue de la Paix", postal_code="75002", city="Paris",
        )  # fmt: skip
        request = ResetRequest(member=member, channel="email")
        session.add(OutgoingEmail(reset_request=request, to_address="zoe@example.org"))
    with session_scope(engine) as session:
        email = session.scalars(select(OutgoingEmail)).one()
        assert email.status == "pending"
        assert email.reset_request.member.first_name == "Zoé"
        assert email.next_attempt_at <= dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=1)
