"""The launcher's own promises, on a tiny Procfile: logs per process, a clean stop, a death named.

The real processes are started by the end-to-end and browser tests; here the commands
are shell one-liners, so each case takes a few seconds.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import pytest

from bot import launcher


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'members.db'}")
    return tmp_path


def _procfile(workdir: Path, text: str) -> Path:
    path = workdir / "Procfile"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_process_that_dies_is_named_and_the_others_are_stopped(
    workdir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    procfile = _procfile(workdir, "calme: sleep 60\nfragile: echo bonjour; sleep 1; exit 3\n")
    started = time.monotonic()
    status = launcher.run(log_dir=workdir / "log", mail_dir=workdir / "mail", procfile=procfile)
    assert status == 1
    assert time.monotonic() - started < 30  # "calme" was stopped, not waited for
    said = capsys.readouterr()
    assert "Base des adhérents : migration et adhérents de démonstration…" in said.out
    assert "le processus « fragile »" in said.err
    assert "(code 3)" in said.err
    assert (workdir / "log" / "fragile.log").read_text(encoding="utf-8") == "bonjour\n"
    assert (workdir / "log" / "calme.log").exists()


def test_sigterm_stops_everything_with_status_zero(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    procfile = _procfile(workdir, "calme: echo pret; sleep 60\n")
    ready = workdir / "ready"

    def stop_when_ready() -> None:
        deadline = time.monotonic() + 30
        while not ready.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(os.getpid(), signal.SIGTERM)

    before = signal.getsignal(signal.SIGTERM)
    threading.Thread(target=stop_when_ready, daemon=True).start()
    status = launcher.run(
        log_dir=workdir / "log", mail_dir=workdir / "mail", ready_file=ready, procfile=procfile
    )
    assert status == 0
    said = capsys.readouterr().out
    assert "Sésame est prêt (calme)." in said
    assert "Ctrl-C pour tout arrêter." in said
    assert "Sésame est arrêté." in said
    assert not ready.exists()
    assert signal.getsignal(signal.SIGTERM) == before


def test_an_unknown_process_is_refused_in_french(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    procfile = _procfile(workdir, "calme: sleep 60\n")
    assert launcher.run(["rasa"], log_dir=workdir / "log", procfile=procfile) == 2
    assert "Processus inconnu : rasa" in capsys.readouterr().err


def test_the_procfile_keeps_internal_services_on_loopback() -> None:
    commands = launcher.read_procfile()
    assert list(commands) == ["smtp-sink", "mail-worker", "web", "actions", "rasa"]
    assert "--interface 127.0.0.1" in commands["rasa"]
    assert commands["actions"].startswith("SANIC_HOST=127.0.0.1 ")
