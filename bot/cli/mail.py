"""``./sesame mail …`` and ``./sesame letters export``: the outbox and the letters, for operators.

Each handler loads the settings and builds its own engine, so the commands work
alone (cron, systemd) as well as from ``make run``. ``register`` attaches them to
the main parser; every handler is stored as ``args.handler`` and returns an exit
status.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from collections.abc import Callable
from types import FrameType

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from bot.db.engine import make_engine
from bot.mail.sink import add_arguments as add_sink_arguments
from bot.mail.sink import serve
from bot.mail.worker import DeliveryReport, deliver_due, run_worker
from bot.privacy.retention import RetentionPolicy
from bot.privacy.schedule import PurgeSchedule
from bot.resets.letters import export_letters
from bot.settings import Settings, SettingsError, load_settings
from bot.workbench.tracker import tracker_engine_url

Handler = Callable[[argparse.Namespace], int]

DB_ERROR = (
    "Base de données inaccessible ou schéma pas à jour ({kind}) : vérifiez DATABASE_URL "
    "et appliquez les migrations."
)


def _plural(count: int, singular: str, plural: str) -> str:
    return f"{count} {singular if count <= 1 else plural}"


def delivery_summary(report: DeliveryReport) -> str:
    """One French line on a pass over the outbox."""
    parts = [
        _plural(report.sent, "e-mail envoyé", "e-mails envoyés"),
        _plural(report.postponed, "reporté", "reportés"),
        _plural(report.failed, "abandonné", "abandonnés"),
    ]
    line = "Envoi des e-mails : " + ", ".join(parts) + "."
    if report.reclaimed:
        line += f" {_plural(report.reclaimed, 'envoi interrompu repris', 'envois interrompus repris')}."
    if report.smtp_unavailable:
        line += " Serveur SMTP injoignable : les e-mails restent en file et partiront à son retour."
    return line


def _engine(settings: Settings) -> Engine:
    return make_engine(settings.database_url)


def _mail_send(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        report = deliver_due(_engine(settings), settings)
    except SQLAlchemyError as exc:
        print(DB_ERROR.format(kind=type(exc).__name__), file=sys.stderr)
        return 1
    print(delivery_summary(report))
    return 0


def _mail_worker(args: argparse.Namespace) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    settings = load_settings()
    try:
        settings.check_safe_to_serve()
    except SettingsError as error:
        print(f"ERREUR : {error}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def _stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _stop)
    print(f"Envoi des e-mails toutes les {args.interval:g} s ; Ctrl-C pour arrêter.", flush=True)
    print(
        "Purge des données arrivées au terme de leur durée de conservation : toutes les heures.", flush=True
    )
    engine = _engine(settings)
    tracker = make_engine(tracker_engine_url(settings.tracker_store_url))
    schedule = PurgeSchedule(engine, tracker, RetentionPolicy.from_settings(settings))
    run_worker(engine, settings, stop, poll_seconds=args.interval, housekeeping=schedule.tick)
    return 0


def _mail_sink(args: argparse.Namespace) -> int:
    settings = load_settings()
    host = args.host or settings.smtp_host
    port = args.port if args.port is not None else settings.smtp_port
    return serve(host, port, args.directory)


def _letters_export(args: argparse.Namespace) -> int:
    settings = load_settings()
    try:
        count = export_letters(_engine(settings), sys.stdout, nir_key=settings.nir_hash_key)
    except SQLAlchemyError as exc:
        print(DB_ERROR.format(kind=type(exc).__name__), file=sys.stderr)
        print("Aucun courrier n'a été marqué exporté : n'utilisez pas le CSV produit.", file=sys.stderr)
        return 1
    except OSError as exc:
        print(
            f"Écriture du CSV impossible ({type(exc).__name__}) : aucun courrier n'a été marqué exporté.",
            file=sys.stderr,
        )
        return 1
    if count == 0:
        print("Aucun courrier à exporter.", file=sys.stderr)
    else:
        print(
            f"{_plural(count, 'courrier exporté', 'courriers exportés')}. Le CSV contient des codes "
            "d'accès en clair : remettez-le à l'imprimeur puis supprimez-le.",
            file=sys.stderr,
        )
    return 0


def _help_of(parser: argparse.ArgumentParser) -> Handler:
    def show(args: argparse.Namespace) -> int:
        parser.print_help()
        return 0

    return show


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``mail send|worker|sink`` and ``letters export`` to the ``./sesame`` parser."""
    mail = subparsers.add_parser("mail", help="e-mails de réinitialisation : envoi, worker, puits SMTP local")
    mail.set_defaults(handler=_help_of(mail))
    mail_commands = mail.add_subparsers(dest="mail_command", metavar="ACTION")

    send = mail_commands.add_parser("send", help="envoyer une fois les e-mails en attente, puis s'arrêter")
    send.set_defaults(handler=_mail_send)

    worker = mail_commands.add_parser("worker", help="envoyer les e-mails en continu (Ctrl-C pour arrêter)")
    worker.add_argument(
        "--interval",
        type=float,
        default=5.0,
        metavar="SECONDES",
        help="pause entre deux passes sur la file d'envoi (défaut : 5)",
    )
    worker.set_defaults(handler=_mail_worker)

    sink = mail_commands.add_parser(
        "sink", help="puits SMTP local : enregistre chaque e-mail reçu en .eml sous var/mail/"
    )
    add_sink_arguments(sink)
    sink.set_defaults(handler=_mail_sink)

    letters = subparsers.add_parser("letters", help="courriers postaux contenant un code d'accès")
    letters.set_defaults(handler=_help_of(letters))
    letters_commands = letters.add_subparsers(dest="letters_command", metavar="ACTION")
    export = letters_commands.add_parser(
        "export",
        help="CSV des courriers à imprimer sur la sortie standard (avec un nouveau code pour chacun) ; "
        "les courriers sont marqués exportés",
    )
    export.set_defaults(handler=_letters_export)
