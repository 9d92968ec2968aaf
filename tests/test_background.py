"""The harness that starts Sésame for the browser, end-to-end and replica tests and the benches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.background import Background, LauncherFailed, ready_then_stopped


def background(tmp_path: Path, code: str) -> Background:
    output = tmp_path / "output.txt"
    (tmp_path / "log").mkdir()
    (tmp_path / "log" / "web.log").write_text("le journal du web\n", encoding="utf-8")
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-c", code], stdout=sink, stderr=subprocess.STDOUT)  # noqa: S603
    return Background(process, tmp_path / "log", tmp_path / "mail", output)


def test_waits_for_the_ready_file_then_stops_the_process(tmp_path: Path) -> None:
    ready = tmp_path / "ready"
    running = background(
        tmp_path, f"import pathlib, time; pathlib.Path({str(ready)!r}).touch(); time.sleep(60)"
    )
    with ready_then_stopped(running, ready, 30, 10, LauncherFailed, "the launcher"):
        assert ready.exists()
        assert running.process.poll() is None
    assert running.process.returncode is not None


def test_a_process_that_stops_during_start_up_fails_with_its_output_and_logs(tmp_path: Path) -> None:
    running = background(tmp_path, "print('port déjà pris')")
    with (
        pytest.raises(LauncherFailed, match="stopped during start-up") as failure,
        ready_then_stopped(running, tmp_path / "ready", 30, 10, LauncherFailed, "the launcher"),
    ):
        pytest.fail("never ready")
    assert "port déjà pris" in str(failure.value)
    assert "le journal du web" in str(failure.value)


def test_not_ready_in_time_fails_and_stops_the_process(tmp_path: Path) -> None:
    running = background(tmp_path, "import time; time.sleep(60)")
    with (
        pytest.raises(LauncherFailed, match="not ready after"),
        ready_then_stopped(running, tmp_path / "ready", 0.6, 10, LauncherFailed, "the launcher"),
    ):
        pytest.fail("never ready")
    assert running.process.returncode is not None
