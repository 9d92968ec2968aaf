"""Figures per day: fallback rate, top intents, hand-off rate, resets completed; and the command line."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from bot.cli.main import main
from bot.db.engine import session_scope
from bot.db.enums import AuditKind, EmailStatus, HandoffKind, HandoffReason, ResetChannel
from bot.db.models import AuditEvent, Member, OutgoingEmail, PostalLetter, ResetRequest
from bot.handoffs.queue import open_handoff
from bot.workbench.stats import daily_stats
from tests.workbench.conftest import DAY, Conversation


@pytest.fixture
def activity(tracker: Engine) -> Engine:
    a = Conversation(tracker, "conv-a")
    a.user("bonjour", "greet", 0.97)
    a.action("utter_greet")
    a.user("truc bidule", "nlu_fallback", 0.3, [("nlu_fallback", 0.45), ("cannot_login", 0.3)])
    a.action("action_two_stage_fallback")
    a.user("comment je me connecte 1 84 05 75 123 456 78", "how_to_login", 0.91)
    a.action("utter_how_to_login")
    a.user("j'ai pas compris 1 84 05 75 123 456 78", "how_to_login", 0.7)
    a.action("utter_ask_rephrase")
    b = Conversation(tracker, "conv-b")
    b.user("je veux un conseiller", "request_human", 0.95)
    b.action("action_request_human")
    c = Conversation(tracker, "conv-c", DAY + dt.timedelta(days=1))
    c.user("comment me connecter", "how_to_login", 0.9)
    c.action("utter_how_to_login")
    with session_scope(tracker) as session:
        open_handoff(
            session,
            conversation_id="conv-b",
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Motif : test",
            transcript=[],
            now=DAY + dt.timedelta(minutes=1),
        )
        member = Member(
            nir_hash="h" * 64,
            first_name="A",
            last_name="B",
            street="1 rue",
            postal_code="75001",
            city="Paris",
        )
        session.add(member)
        session.flush()
        for channel in (ResetChannel.EMAIL, ResetChannel.LETTER):
            request = ResetRequest(member_id=member.id, channel=channel, created_at=DAY)
            session.add(request)
            session.flush()
            if channel is ResetChannel.EMAIL:
                session.add(
                    OutgoingEmail(
                        reset_request_id=request.id,
                        to_address="a@b.example",
                        status=EmailStatus.SENT,
                        sent_at=DAY + dt.timedelta(minutes=2),
                    )
                )
            else:
                session.add(PostalLetter(reset_request_id=request.id, created_at=DAY, expected_by=DAY.date()))
        session.add(
            AuditEvent(kind=AuditKind.ACCESS_CODE_CHANGED.value, created_at=DAY + dt.timedelta(hours=1))
        )
    return tracker


def test_figures_per_day(activity: Engine) -> None:
    with session_scope(activity) as session:
        first, second = daily_stats(activity, session, DAY.date(), DAY.date() + dt.timedelta(days=1))
    assert (first.messages, first.fallbacks) == (5, 2)  # « truc bidule », then a rephrase asked
    assert first.fallback_rate == pytest.approx(0.4)
    assert first.top_intents[0] == ("how_to_login", 2)
    assert (first.conversations, first.handoff_conversations, first.handoff_rate) == (2, 1, 0.5)
    assert (first.emails_sent, first.letters, first.codes_changed, first.resets_completed) == (1, 1, 1, 2)
    assert (second.messages, second.fallbacks, second.conversations, second.handoff_rate) == (1, 0, 1, 0.0)


def test_the_widgets_own_greeting_is_not_a_member_message(tracker: Engine) -> None:
    # The walk of issue #22: the widget said « Bonjour » by itself on opening, then the member
    # typed 4 messages, one not understood: 4 messages, 25 % « Non compris », no « greet ».
    typed = Conversation(tracker, "conv-w")
    typed.user("Bonjour", "greet", 0.99, automatic=True)
    typed.action("utter_greet")
    typed_messages = (("mon code marche pas", "cannot_login"), ("ou est mon code", "where_is_access_code"))
    for text, intent in typed_messages:
        typed.user(text, intent, 0.9)
        typed.action(f"utter_{intent}")
    typed.user("zorglub", "nlu_fallback", 0.2)
    typed.action("action_two_stage_fallback")
    typed.user("bonjour", "greet", 0.99)  # typed by the member: counted
    typed.action("utter_greet")
    only_opened = Conversation(tracker, "conv-o")  # opened the widget, typed nothing
    only_opened.user("Bonjour", "greet", 0.99, automatic=True)
    only_opened.action("utter_greet")
    with session_scope(tracker) as session:
        (day,) = daily_stats(tracker, session, DAY.date(), DAY.date())
    assert (day.messages, day.fallbacks, day.fallback_rate) == (4, 1, 0.25)
    assert day.intents["greet"] == 1
    assert day.conversations == 1


def test_the_command_line_prints_stats_and_the_inbox_masked(
    activity: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_STORE_URL", db_url)
    assert main(["review", "stats", "--since", "2026-12-01", "--until", "2026-12-02"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("JOUR")
    assert lines[1].startswith("2026-12-01") and "40 %" in lines[1] and "50 %" in lines[1]
    assert "how_to_login (2)" in lines[1]
    assert "Total : 6 messages" in out
    assert main(["review", "inbox", "--limit", "2"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split()[:3] == ["ID", "DATE", "CONFIANCE"]
    # The fallback, « j'ai pas compris » (low confidence), the agent asked for, and the answer
    # « j'ai pas compris » followed (a confident mistake, issue 22).
    assert "4 message(s) à revoir, 2 affiché(s)." in out
    assert "123 456" not in out and "[NIR masqué]" in out
    with pytest.raises(SystemExit):
        main(["review", "stats", "--since", "hier"])
