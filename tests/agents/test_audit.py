"""The agents' audit log: lines in order, filters, CSV export, and no way to rewrite it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from sqlalchemy import Engine, delete, text, update
from sqlalchemy.exc import DBAPIError

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.db.models import AgentAuditEntry, utcnow
from bot.rules.conversation_refs import ConversationRefs

HOUR = dt.timedelta(hours=1)
REFS = ConversationRefs("test-secret")
# Yesterday, not a fixed date: the database protects lines younger than 180 days only (the retention
# purge may delete older ones, migration 0010), and these tests must not start failing next summer.
NOW = (utcnow() - 24 * HOUR).replace(microsecond=0)


def write(engine: Engine) -> None:
    with session_scope(engine) as session:
        audit.record(session, "claire", AgentAction.SIGN_IN, now=NOW)
        audit.record(
            session, "claire", AgentAction.MEMBER_LOOKUP, nir_hash="ab" * 32, now=NOW + HOUR, trouve=True
        )
        audit.record(session, "marc", AgentAction.SIGN_IN, now=NOW + HOUR)
        audit.record(session, "cli:root", AgentAction.AGENT_ADDED, now=NOW + 2 * HOUR, agent="zoe")


def parse(exported: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(exported, newline="")))


def test_entries_come_oldest_first_with_who_what_and_for_whom(engine: Engine) -> None:
    write(engine)
    with session_scope(engine) as session:
        lines = audit.entries(session)
        assert [(e.actor, e.action, e.nir_hash, e.detail) for e in lines] == [
            ("claire", "sign_in", None, {}),
            ("claire", "member_lookup", "ab" * 32, {"trouve": True}),
            ("marc", "sign_in", None, {}),
            ("cli:root", "agent_added", None, {"agent": "zoe"}),
        ]
        assert lines[0].created_at == NOW


def test_entries_filter_by_time_inclusive_and_by_actor(engine: Engine) -> None:
    write(engine)
    with session_scope(engine) as session:
        assert [e.actor for e in audit.entries(session, since=NOW + HOUR)] == ["claire", "marc", "cli:root"]
        assert [e.action for e in audit.entries(session, actor="claire")] == ["sign_in", "member_lookup"]
        assert [e.action for e in audit.entries(session, since=NOW + HOUR, actor="claire")] == [
            "member_lookup"
        ]
        newest = audit.entries(session, newest_first=True, limit=2)
        assert [e.actor for e in newest] == ["cli:root", "marc"]


def test_csv_has_a_header_utc_times_and_the_detail_as_json(engine: Engine) -> None:
    write(engine)
    with session_scope(engine) as session:
        exported = audit.to_csv(audit.entries(session), REFS)
    rows = parse(exported)
    assert rows[0] == ["date_utc", "acteur", "action", "adherent_nir_hash", "detail"]
    first = NOW.isoformat(timespec="seconds")
    assert first.endswith("+00:00")
    assert rows[1] == [first, "claire", "sign_in", "", "{}"]
    assert rows[2] == [(NOW + HOUR).isoformat(), "claire", "member_lookup", "ab" * 32, '{"trouve": true}']
    assert rows[4][4] == '{"agent": "zoe"}'
    assert len(rows) == 5


@pytest.mark.parametrize(
    "actor", ['=HYPERLINK("http://x")', "+33 1 23", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"]
)
def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(engine: Engine, actor: str) -> None:
    with session_scope(engine) as session:
        audit.record(session, actor, AgentAction.SIGN_IN_FAILED, now=NOW, raison="=1+1")
    with session_scope(engine) as session:
        rows = parse(audit.to_csv(audit.entries(session), REFS))
    assert rows[1][1] == "'" + actor
    assert rows[1][4] == '{"raison": "=1+1"}'  # JSON starts with "{": never a formula


def test_a_line_break_typed_in_a_login_cannot_start_a_row_of_its_own(engine: Engine) -> None:
    """Sign-in no longer writes what was typed (tests/agents/test_sessions.py), but an
    actor holding a carriage return must still stay inside its cell, or the rest
    becomes a new row whose first cell a spreadsheet runs as a formula."""
    forged = "x\r=WEBSERVICE(A1)+1"
    with session_scope(engine) as session:
        audit.record(session, forged, AgentAction.SIGN_IN_FAILED, now=NOW)
        audit.record(session, "y\n+cmd", AgentAction.SIGN_IN_FAILED, now=NOW)
    with session_scope(engine) as session:
        rows = parse(audit.to_csv(audit.entries(session), REFS))
    assert [row[1] for row in rows[1:]] == [forged, "y\n+cmd"]
    assert all(len(row) == 5 for row in rows)


def test_csv_keeps_non_ascii_text_readable(engine: Engine) -> None:
    with session_scope(engine) as session:
        audit.record(session, "cli:hélène", AgentAction.AGENT_DISABLED, now=NOW, agent="zoé")
    with session_scope(engine) as session:
        exported = audit.to_csv(audit.entries(session), REFS)
    assert "cli:hélène" in exported and '"{""agent"": ""zoé""}"' in exported


def test_csv_of_nothing_is_the_header_alone() -> None:
    assert audit.to_csv([], REFS) == "date_utc,acteur,action,adherent_nir_hash,detail\r\n"


def first_line(engine: Engine) -> tuple[str, str]:
    with session_scope(engine) as session:
        line = audit.entries(session)[0]
        return line.actor, line.action


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE agent_audit SET actor = 'quelqu-un-d-autre'",
        "UPDATE agent_audit SET detail = '{}' WHERE action = 'member_lookup'",
        "DELETE FROM agent_audit",
        "DELETE FROM agent_audit WHERE actor = 'marc'",
    ],
)
def test_the_database_refuses_to_rewrite_or_erase_the_log(engine: Engine, statement: str) -> None:
    write(engine)
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        with engine.begin() as connection:
            connection.execute(text(statement))
    with session_scope(engine) as session:
        assert len(audit.entries(session)) == 4
    assert first_line(engine) == ("claire", "sign_in")


def test_the_orm_cannot_rewrite_or_erase_the_log_either(engine: Engine) -> None:
    write(engine)
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        with session_scope(engine) as session:
            audit.entries(session)[0].actor = "marc"
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        with session_scope(engine) as session:
            session.delete(audit.entries(session)[0])
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        with session_scope(engine) as session:
            session.execute(update(AgentAuditEntry).values(action="sign_out"))
    with pytest.raises(DBAPIError, match="journal en ajout seul"):
        with session_scope(engine) as session:
            session.execute(delete(AgentAuditEntry))
    assert first_line(engine) == ("claire", "sign_in")


def test_appending_still_works_after_a_refused_rewrite(engine: Engine) -> None:
    write(engine)
    with pytest.raises(DBAPIError):
        with engine.begin() as connection:
            connection.execute(text("DELETE FROM agent_audit"))
    with session_scope(engine) as session:
        audit.record(session, "claire", AgentAction.SIGN_OUT, now=NOW + 3 * HOUR)
    with session_scope(engine) as session:
        assert [e.action for e in audit.entries(session)][-1] == "sign_out"


def rewrite_statements(dialect: str) -> list[str]:
    """The attacks that turn an insert into a rewrite of existing lines, per database."""
    values = "SELECT id, created_at, 'quelqu-un-d-autre', 'sign_out', NULL, '{}' FROM agent_audit"
    columns = "agent_audit (id, created_at, actor, action, nir_hash, detail)"
    if dialect == "sqlite":
        return [f"REPLACE INTO {columns} {values}", f"INSERT OR REPLACE INTO {columns} {values}"]
    return [f"INSERT INTO {columns} {values} ON CONFLICT (id) DO UPDATE SET actor = excluded.actor"]


def test_replace_and_upserts_cannot_rewrite_the_log(engine: Engine) -> None:
    """Issue 20 #8: REPLACE INTO rewrote every line on SQLite despite the UPDATE/DELETE triggers."""
    write(engine)
    for statement in rewrite_statements(engine.dialect.name):
        with pytest.raises(DBAPIError, match="journal en ajout seul"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    with session_scope(engine) as session:
        lines = audit.entries(session)
        assert len(lines) == 4
        assert "quelqu-un-d-autre" not in {line.actor for line in lines}
    assert first_line(engine) == ("claire", "sign_in")


def test_truncate_cannot_empty_the_log(engine: Engine) -> None:
    """Row triggers do not fire on PostgreSQL's TRUNCATE: the log (or a table it hangs from) gone at once."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has no TRUNCATE (its DELETE FROM fires the row trigger, tested above)")
    write(engine)
    for statement in ("TRUNCATE agent_audit", "TRUNCATE agents, agent_audit CASCADE"):
        with pytest.raises(DBAPIError, match="journal en ajout seul"):
            with engine.begin() as connection:
                connection.execute(text(statement))
    with session_scope(engine) as session:
        assert len(audit.entries(session)) == 4


def test_a_conversation_id_written_before_references_is_exported_as_its_reference(engine: Engine) -> None:
    """Old lines named the conversation by its id, the member's chat credential: never shown again."""
    sender = "AbCdEfGhIjKlMnOpQrStUvWx"
    with session_scope(engine) as session:
        audit.record(session, "fanny", AgentAction.REVIEW_DECIDED, now=NOW, conversation=sender, event=3)
        audit.record(session, "alice", AgentAction.REVIEW_FLAGGED, now=NOW, conversation=REFS.of(sender))
    with session_scope(engine) as session:
        exported = audit.to_csv(audit.entries(session), REFS)
    assert sender not in exported
    rows = parse(exported)
    assert json.loads(rows[1][4]) == {"conversation": REFS.of(sender), "event": 3}
    assert json.loads(rows[2][4]) == {"conversation": REFS.of(sender)}
