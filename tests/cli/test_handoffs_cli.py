"""``./sesame handoffs list [--json]``: open hand-offs and waiting call-backs, oldest first."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import Engine, select

from bot.agents import audit
from bot.cli.agents import operator
from bot.cli.handoffs import age
from bot.cli.main import main
from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason
from bot.db.models import Handoff, utcnow
from bot.handoffs.queue import close, open_handoff
from bot.rules.conversation_refs import ConversationRefs
from bot.settings import load_settings
from tests.support.on_duty import agent_on_duty

WINDOW_START = dt.datetime(2026, 12, 7, 15, 30, tzinfo=dt.timezone.utc)  # 16 h 30 in Paris
SUMMARY = "Motif : l'adhérent a demandé à parler à un conseiller.\nNuméro de Sécurité sociale vérifié : non."


@pytest.fixture
def queued(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    now = utcnow()
    with session_scope(engine) as session:
        agent = agent_on_duty(session, now)
        open_handoff(
            session, conversation_id="conv-live", channel="web", kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED, summary=SUMMARY,
            transcript=[{"qui": "adherent", "texte": "mon numéro 2 95 06 75 123 045 57"}],
            now=now - dt.timedelta(minutes=12),
        )  # fmt: skip
        open_handoff(
            session, conversation_id="conv-rappel", channel="direct", kind=HandoffKind.CALLBACK,
            reason=HandoffReason.BOT_FAILED, summary=SUMMARY, transcript=[],
            callback_phone="0612345678", callback_slot="vers 17h",
            callback_window=(WINDOW_START, WINDOW_START + dt.timedelta(hours=1)),
            now=now - dt.timedelta(minutes=3),
        )  # fmt: skip
        closed = open_handoff(
            session, conversation_id="conv-closed", channel="web", kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED, summary=SUMMARY, transcript=[], now=now - dt.timedelta(hours=2),
        )  # fmt: skip
        close(session, closed.id, agent, now)
    return engine


def reference(conversation_id: str) -> str:
    return ConversationRefs(load_settings().nir_hash_key).of(conversation_id)


def test_the_table_lists_open_hand_offs_oldest_first_with_the_number_masked(
    queued: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["handoffs", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["ID", "CONVERSATION", "ÂGE", "ÉTAT"]
    assert reference("conv-live") in lines[1]
    assert "12 min" in lines[1] and "en attente" in lines[1] and "chat" in lines[1]
    assert reference("conv-rappel") in lines[2] and "rappel" in lines[2] and "06 •• •• •• 78" in lines[2]
    # The member's words, then the window in Paris time (its day word depends on today).
    assert "« vers 17h » (" in lines[2] and " entre 16 h 30 et 17 h 30)" in lines[2]
    assert "Motif : l'adhérent a demandé" in lines[1]
    assert "0612345678" not in out
    assert "conv-" not in out  # a conversation id is the member's chat credential: staff never see one
    assert lines[-1].startswith("2 en tout")


def test_json_gives_everything_the_agent_needs(queued: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["handoffs", "list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [h["conversation"] for h in listed] == [reference("conv-live"), reference("conv-rappel")]
    assert "conv-" not in json.dumps(listed)
    live, callback = listed
    assert (live["kind"], live["state"], live["reason"], live["channel"]) == (
        "live",
        "waiting",
        "asked",
        "web",
    )
    assert live["summary"] == SUMMARY and 700 <= live["age_seconds"] <= 800
    assert live["transcript"] == [{"qui": "adherent", "texte": "mon numéro [NIR masqué]"}]
    assert (callback["callback_phone"], callback["callback_slot"]) == ("0612345678", "vers 17h")
    assert (callback["callback_from"], callback["callback_until"]) == (
        "2026-12-07T15:30:00+00:00",
        "2026-12-07T16:30:00+00:00",
    )
    assert callback["nir_checked"] is False


def test_an_empty_queue_says_so(
    engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert main(["handoffs", "list"]) == 0
    assert "Aucune conversation en attente" in capsys.readouterr().out
    assert main(["handoffs", "list", "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_an_unreachable_database_is_said_in_french(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/none?connect_timeout=1")
    assert main(["handoffs", "list"]) == 1
    assert "injoignable" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("minutes", "shown"), [(0, "0 min"), (59, "59 min"), (65, "1 h 05"), (60 * 24 + 60 * 3 + 7, "1 j 3 h")]
)
def test_ages_read_in_french(minutes: int, shown: str) -> None:
    now = utcnow()
    assert age(now - dt.timedelta(minutes=minutes), now) == shown


@pytest.mark.parametrize(
    ("command", "state", "said"), [("done", "done", "fait."), ("unreachable", "unreachable", "injoignable")]
)
def test_a_call_back_is_closed_from_the_command_line_and_audited(
    queued: Engine, capsys: pytest.CaptureFixture[str], command: str, state: str, said: str
) -> None:
    with session_scope(queued) as session:
        callback = session.scalars(select(Handoff).where(Handoff.conversation_id == "conv-rappel")).one()
        live = session.scalars(select(Handoff).where(Handoff.conversation_id == "conv-live")).one()
        callback_id, live_id = callback.id, live.id
    assert main(["handoffs", command, str(callback_id)]) == 0
    assert said in capsys.readouterr().out
    with session_scope(queued) as session:
        assert session.get(Handoff, callback_id).state.value == state  # type: ignore[union-attr]
        [entry] = audit.entries(session, actor=operator())
        assert entry.action == f"callback_{'done' if command == 'done' else 'unreachable'}"
        assert entry.detail == {"prise_en_charge": callback_id}
    # Twice, or on a live chat, or an unknown number: refused in French, nothing changes.
    assert main(["handoffs", command, str(callback_id)]) == 1
    assert "n'est plus en attente" in capsys.readouterr().err
    assert main(["handoffs", "done", str(live_id)]) == 1
    assert "discussion en direct" in capsys.readouterr().err
    assert main(["handoffs", "done", "999999"]) == 1
    assert "n'existe pas" in capsys.readouterr().err
    assert main(["handoffs", "list"]) == 0
    assert "conv-rappel" not in capsys.readouterr().out
