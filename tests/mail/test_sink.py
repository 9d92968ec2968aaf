"""The local SMTP sink: real sockets, real files, a real process for the signals."""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from bot.mail.sink import busy_message, serve, start_sink
from tests.conftest import ROOT


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def a_message(subject: str) -> EmailMessage:
    message = EmailMessage()
    message["Subject"], message["From"], message["To"] = subject, "sesame@acs.exemple", "zoe@exemple.fr"
    message.set_content("Bonjour Zoé,\nceci est un essai.\n")
    return message


@pytest.fixture
def sink(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    port, directory = free_port(), tmp_path / "mail"
    controller: Controller = start_sink("127.0.0.1", port, directory)
    yield port, directory
    controller.stop()


def test_each_message_becomes_an_eml_file_in_arrival_order(sink: tuple[int, Path]) -> None:
    port, directory = sink
    with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
        for n in range(3):
            client.send_message(a_message(f"Essai {n}"))
    files = sorted(directory.iterdir())
    assert [f.suffix for f in files] == [".eml"] * 3
    subjects = []
    for path in files:
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        assert isinstance(message, EmailMessage)
        subjects.append(message["Subject"])
        assert message["X-Envelope-To"] == "zoe@exemple.fr"
        body = message.get_body(preferencelist=("plain",))
        assert isinstance(body, EmailMessage)
        assert body.get_content().replace("\r\n", "\n") == "Bonjour Zoé,\nceci est un essai.\n"
        assert path.stat().st_mode & 0o077 == 0  # working reset links: owner only
    assert subjects == ["Essai 0", "Essai 1", "Essai 2"]
    assert files[0].name[:8].isdigit() and files[0].name[8] == "T"


def test_a_listening_smtp_server_is_reused_not_replaced(
    sink: tuple[int, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    port, _ = sink
    expected = f"un serveur SMTP écoute déjà sur le port {port} : je l'utilise"
    assert busy_message("127.0.0.1", port) == expected
    assert serve("127.0.0.1", port, tmp_path / "other") == 0  # returns at once, runs nothing
    assert capsys.readouterr().out.strip() == expected
    assert not (tmp_path / "other").exists()


def test_a_port_held_by_something_else_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        assert serve("127.0.0.1", port, tmp_path) == 1
    assert "n'est pas un serveur SMTP" in capsys.readouterr().err


def test_a_free_port_is_free() -> None:
    assert busy_message("127.0.0.1", free_port()) is None


def test_module_runs_until_sigterm(tmp_path: Path) -> None:
    port, directory = free_port(), tmp_path / "mail"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(  # noqa: S603 - our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "bot.mail.sink",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--directory",
            str(directory),
        ],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 15
        while busy_message("127.0.0.1", port) is None:
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "le puits SMTP n'a pas démarré"
            time.sleep(0.05)
        with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
            client.send_message(a_message("Par le module"))
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert "Puits SMTP à l'écoute" in out and "Puits SMTP arrêté." in out
    assert len(list(directory.glob("*.eml"))) == 1
    assert not list(directory.glob("*.part"))
