"""The purge runs by itself once an hour in the mail worker, one process at a time, audited."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.models import Handoff
from bot.mail.worker import run_worker
from bot.privacy import schedule
from bot.privacy.purge import purge
from bot.privacy.retention import RetentionPolicy
from bot.privacy.schedule import PurgeSchedule, record_purge
from bot.settings import load_settings
from tests.privacy.conftest import add_handoff, add_lookup
from tests.privacy.test_purge import count

SETTINGS = load_settings(environ={})
POLICY = RetentionPolicy.from_settings(SETTINGS)
HOUR = dt.timedelta(hours=1)


def purge_lines(engine: Engine) -> list[tuple[str, dict[str, object]]]:
    with session_scope(engine) as session:
        return [(e.actor, dict(e.detail)) for e in audit.entries(session) if e.action == "privacy_purge"]


def test_a_tick_purges_then_waits_an_hour_and_audits_what_it_deleted(engine: Engine, tracker: Engine) -> None:
    add_handoff(engine, 100)
    ticks = PurgeSchedule(engine, tracker, POLICY)
    first = ticks.tick()
    assert first is not None and first.counts()["handoffs"] == 1
    assert count(engine, Handoff) == 0
    assert purge_lines(engine) == [("sesame:purge", {"essai": False, "total": 1, "handoffs": 1})]
    add_handoff(engine, 100)
    assert ticks.last_run is not None
    assert ticks.tick(ticks.last_run + HOUR - dt.timedelta(seconds=1)) is None
    assert count(engine, Handoff) == 1
    assert ticks.tick(ticks.last_run + HOUR) is not None
    assert count(engine, Handoff) == 0


def test_an_empty_purge_leaves_no_line_in_the_audit_log(engine: Engine, tracker: Engine) -> None:
    add_lookup(engine, 1)
    report = PurgeSchedule(engine, tracker, POLICY).tick()
    assert report is not None and report.total == 0
    assert purge_lines(engine) == []


def test_a_failing_purge_is_logged_and_never_stops_the_worker(
    engine: Engine, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    (
        tmp_path / "tracker.db"
    ).mkdir()  # a folder where the database file should be: no one opens it, not even root
    broken = create_engine(f"sqlite:///{tmp_path}/tracker.db")
    assert PurgeSchedule(engine, broken, POLICY).tick() is None
    assert "Purge de conservation interrompue (OperationalError)" in caplog.text


def test_two_workers_on_postgresql_do_not_purge_together(engine: Engine, tracker: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite: one machine, one worker; no lock needed")
    add_handoff(engine, 100)
    with schedule.purge_lock(engine) as taken:  # another worker is purging
        assert taken
        assert PurgeSchedule(engine, tracker, POLICY).tick() is None
        assert count(engine, Handoff) == 1
    assert PurgeSchedule(engine, tracker, POLICY).tick() is not None
    assert count(engine, Handoff) == 0


def test_the_mail_worker_calls_the_purge_after_each_pass(engine: Engine) -> None:
    stop = threading.Event()
    calls: list[int] = []

    def housekeeping() -> None:
        calls.append(1)
        if len(calls) == 2:
            stop.set()

    run_worker(engine, SETTINGS, stop, poll_seconds=0.01, housekeeping=housekeeping)
    assert len(calls) == 2


def test_a_dry_run_is_audited_as_such(engine: Engine, tracker: Engine) -> None:
    add_handoff(engine, 100)
    record_purge(engine, "cli:dpo", purge(engine, tracker, POLICY, dry_run=True))
    assert purge_lines(engine) == [("cli:dpo", {"essai": True, "total": 1, "handoffs": 1})]
    with engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM handoffs")) == 1
