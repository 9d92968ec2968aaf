"""A local SMTP server that keeps every message as a ``.eml`` file, for development.

``make run`` points Sésame's mailer at it (SMTP_PORT=1025), so reset emails can be
read under ``var/mail/`` without a real mail server. Nothing is relayed. File names
start with the UTC reception time, so ``ls`` lists them in arrival order. They hold
working reset links: ``var/`` is git-ignored and the files are readable by their
owner only.

``python -m bot.mail.sink [--host H] [--port P] [--directory D]`` runs it until
SIGINT/SIGTERM; with ``--check`` it only says whether the port is free.
"""

from __future__ import annotations

import argparse
import itertools
import os
import signal
import socket
import sys
import threading
import time
from pathlib import Path
from types import FrameType
from typing import Any

from aiosmtpd.controller import Controller

from bot.settings import PROJECT_ROOT, load_settings

DEFAULT_DIRECTORY = PROJECT_ROOT / "var" / "mail"


class EmlWriter:
    """aiosmtpd handler: each message becomes one file, written atomically."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sequence = itertools.count(1)

    def _file_name(self) -> str:
        now_ns = time.time_ns()
        stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime(now_ns // 1_000_000_000))
        return f"{stamp}.{now_ns % 1_000_000_000 // 1000:06d}Z-{next(self._sequence):04d}.eml"

    def write(self, mail_from: str, recipients: list[str], content: bytes) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        envelope = f"X-Envelope-From: <{mail_from}>\r\nX-Envelope-To: {', '.join(recipients)}\r\n"
        path = self.directory / self._file_name()
        partial = path.with_suffix(".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(envelope.encode("ascii", "backslashreplace") + content)
        os.replace(partial, path)  # readers never see half a message
        return path

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8")
        self.write(envelope.mail_from or "", list(envelope.rcpt_tos), content)
        return "250 Message accepted for delivery"


def busy_message(host: str, port: int) -> str | None:
    """None if nothing listens on ``host:port``; otherwise what to tell the operator."""
    try:
        with socket.create_connection((host, port), timeout=1.0) as probe:
            probe.settimeout(1.0)
            try:
                banner = probe.recv(512)
            except OSError:
                banner = b""
    except OSError:
        return None
    if banner.startswith(b"220"):
        return f"un serveur SMTP écoute déjà sur le port {port} : je l'utilise"
    return (
        f"le port {port} est déjà pris par un programme qui n'est pas un serveur SMTP : "
        "libérez-le ou changez SMTP_PORT"
    )


def start_sink(host: str, port: int, directory: Path) -> Controller:
    """Start the sink in a background thread; the caller stops it with ``.stop()``."""
    controller = Controller(EmlWriter(directory), hostname=host, port=port, ready_timeout=5.0)
    controller.start()
    return controller


def serve(host: str = "127.0.0.1", port: int = 1025, directory: Path = DEFAULT_DIRECTORY) -> int:
    """Run the sink until SIGINT or SIGTERM; returns the process exit status.

    If an SMTP server already listens on the port it is used as is (status 0);
    if something else holds the port, status 1.
    """
    busy = busy_message(host, port)
    if busy is not None:
        reuse = busy.startswith("un serveur SMTP")
        print(busy, file=sys.stdout if reuse else sys.stderr, flush=True)
        return 0 if reuse else 1
    try:
        controller = start_sink(host, port, directory)
    except (OSError, RuntimeError) as exc:  # TimeoutError is an OSError
        print(
            f"Impossible de lancer le puits SMTP sur {host}:{port} ({type(exc).__name__}).", file=sys.stderr
        )
        return 1
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    print(
        f"Puits SMTP à l'écoute sur {host}:{port} ; messages enregistrés dans {directory}. "
        "Ctrl-C pour arrêter.",
        flush=True,
    )
    try:
        while not stop.wait(0.5):
            pass
    finally:
        controller.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print("Puits SMTP arrêté.", flush=True)
    return 0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options shared by ``python -m bot.mail.sink`` and ``./sesame mail sink``."""
    parser.add_argument("--host", help="adresse d'écoute (défaut : SMTP_HOST)")
    parser.add_argument("--port", type=int, help="port d'écoute (défaut : SMTP_PORT)")
    parser.add_argument(
        "--directory",
        type=Path,
        default=DEFAULT_DIRECTORY,
        help="dossier des fichiers .eml (défaut : var/mail/ du projet)",
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.mail.sink",
        description="Puits SMTP local : chaque message reçu est enregistré en .eml, rien n'est relayé.",
    )
    add_arguments(parser)
    parser.add_argument(
        "--check",
        action="store_true",
        help="dire seulement si le port est libre (code 0) ou déjà pris (code 1), sans rien lancer",
    )
    args = parser.parse_args(argv)
    settings = load_settings()
    host = args.host or settings.smtp_host
    port = args.port if args.port is not None else settings.smtp_port
    if args.check:
        busy = busy_message(host, port)
        if busy is not None:
            print(busy)
        return 0 if busy is None else 1
    return serve(host, port, args.directory)


if __name__ == "__main__":
    sys.exit(main())
