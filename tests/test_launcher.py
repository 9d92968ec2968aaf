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

from bot import launcher, run_token
from bot.settings import load_settings


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
    assert '--interface "${INTERNAL_HOST:-127.0.0.1}"' in commands["rasa"]
    assert commands["actions"].endswith("-m actions.server")  # INTERNAL_HOST and ACTIONS_TOKEN


def test_the_processes_share_fresh_internal_tokens_when_none_is_set(tmp_path: Path) -> None:
    settings = run_token.with_internal_tokens(load_settings(tmp_path / "absent", environ={}))
    again = run_token.with_internal_tokens(load_settings(tmp_path / "absent", environ={}))
    assert len(settings.actions_token) >= 40 and settings.actions_token != again.actions_token
    assert len(settings.channel_token) >= 40 and settings.channel_token != settings.actions_token
    env = launcher.child_environment(settings, tmp_path / "mail", tmp_path / "model.tar.gz")
    assert env["ACTIONS_TOKEN"] == settings.actions_token
    assert env["CHANNEL_TOKEN"] == settings.channel_token
    assert "NIR_HASH_KEY" not in env or env["NIR_HASH_KEY"] == os.environ.get("NIR_HASH_KEY")
    chosen = load_settings(tmp_path / "absent", environ={"ACTIONS_TOKEN": "choisi"})
    assert run_token.with_internal_tokens(chosen).actions_token == "choisi"  # noqa: S105


def test_production_with_the_development_key_starts_nothing(
    workdir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SESAME_MODE", "production")
    monkeypatch.setenv("ACTIONS_TOKEN", "t" * 40)
    monkeypatch.setenv("CHANNEL_TOKEN", "c" * 40)
    procfile = _procfile(workdir, "calme: sleep 60\n")
    assert launcher.run(log_dir=workdir / "log", procfile=procfile) == 2
    said = capsys.readouterr()
    assert "Démarrage refusé : NIR_HASH_KEY et CSRF_SECRET" in said.err
    assert not (workdir / "log" / "calme.log").exists()


def test_the_demo_says_so_in_a_banner(workdir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    procfile = _procfile(workdir, "fragile: exit 3\n")
    launcher.run(log_dir=workdir / "log", mail_dir=workdir / "mail", procfile=procfile)
    assert "DÉMONSTRATION" in capsys.readouterr().out


def test_the_ready_banner_gives_the_console_and_how_to_create_a_first_agent(tmp_path: Path) -> None:
    settings = load_settings()
    text = launcher.banner(settings, ["web", "rasa", "actions"], tmp_path / "log", tmp_path / "mail")
    assert f"http://127.0.0.1:{settings.web_port}/conseiller/" in text
    assert "./sesame agents add demo" in text


def test_a_drawn_channel_token_is_in_a_private_run_file_while_sesame_runs(
    workdir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """So that ``./sesame model rollback`` from another shell can sign its request (issue 22)."""
    port = 40000 + os.getpid() % 20000
    monkeypatch.setenv("CHANNEL_TOKEN", "")
    monkeypatch.setenv("RASA_PORT", str(port))
    token_file = run_token.token_file(port)
    seen = workdir / "vu"
    # A stand-in "rasa" that reads the file as the CLI would, with its mode, then stops.
    procfile = _procfile(
        workdir, f"rasa: stat -c %a {token_file} > {seen}.mode; cp {token_file} {seen}; exit 3\n"
    )
    model = workdir / "modele.tar.gz"
    model.write_bytes(b"m")
    assert (
        launcher.run(log_dir=workdir / "log", mail_dir=workdir / "mail", model=model, procfile=procfile) == 1
    )
    assert (workdir / "vu.mode").read_text(encoding="utf-8").strip() == "600"
    drawn = seen.read_text(encoding="utf-8")
    assert len(drawn) >= 32
    assert (workdir / "log" / "rasa.log").read_text(encoding="utf-8") == ""  # never printed
    assert not token_file.exists()  # removed when Sésame stops
