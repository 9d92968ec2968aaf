"""``./sesame db …`` and ``./sesame members …``: the member database, for operators.

Each command resolves the settings, opens its engine and does one unit of work in
one session: an import is committed whole or not at all. Everything printed is
French; nothing printed contains a NIR (reports give line numbers only) or the
database password.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.cli.database import schema_ready, shown, unreachable
from bot.db.engine import make_engine, session_scope
from bot.db.migrate import head_revision, upgrade_database
from bot.db.pools import Replicas, connections_needed, explain
from bot.members.demo import RealMembersPresent, seed_demo
from bot.members.importer import COLUMNS, ImportReport, MemberFileError, import_members
from bot.settings import DEFAULTS, load_settings

Handler = Callable[[argparse.Namespace], int]
# Exit status of `members seed-demo` on a database with real members: `make run` goes on.
SEED_REFUSED = 2


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``db`` and ``members`` to the ``./sesame`` command line.

    Each leaf command sets ``handler``: the caller runs ``args.handler(args)`` and
    exits with the integer it returns.
    """
    db = subparsers.add_parser("db", help="base des adhérents : création et mise à jour du schéma")
    db_commands = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    upgrade = db_commands.add_parser(
        "upgrade", help="crée ou met à jour les tables de la base DATABASE_URL (migrations Alembic)"
    )
    upgrade.set_defaults(handler=_db_upgrade)
    pools = db_commands.add_parser(
        "pools",
        help="connexions PostgreSQL que Sésame peut ouvrir, toutes répliques comprises, "
        "comparées à max_connections",
    )
    for name, default in (("rasa", 1), ("web", 1), ("actions", 1), ("mail-worker", 1)):
        pools.add_argument(
            f"--{name}", type=int, default=default, metavar="N", help=f"répliques ({default} par défaut)"
        )
    pools.set_defaults(handler=_db_pools)

    members = subparsers.add_parser("members", help="adhérents : import du fichier ACS, démonstration")
    member_commands = members.add_subparsers(dest="members_command", metavar="ACTION", required=True)
    importer = member_commands.add_parser(
        "import",
        help="importe ou met à jour les adhérents d'un fichier CSV",
        description=(
            "Importe les adhérents d'un fichier CSV UTF-8 dont la première ligne est : "
            f"{','.join(COLUMNS)}. Un adhérent déjà connu (même numéro de Sécurité sociale) "
            "est mis à jour ; les lignes incorrectes sont signalées et ignorées."
        ),
    )
    importer.add_argument("file", metavar="FICHIER.csv", type=Path, help="le fichier des adhérents")
    importer.set_defaults(handler=_members_import)
    demo = member_commands.add_parser(
        "seed-demo", help="crée les adhérents fictifs de démonstration (voir le README)"
    )
    demo.set_defaults(handler=_members_seed_demo)


def main(argv: list[str] | None = None) -> int:
    """These commands alone (``python -m bot.cli.members``); ``./sesame`` is the usual way."""
    parser = argparse.ArgumentParser(prog="sesame", description="Base des adhérents de Sésame.")
    register(parser.add_subparsers(dest="command", metavar="COMMANDE", required=True))
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    return handler(args)


def format_report(report: ImportReport) -> list[str]:
    """« 12 adhérents importés (10 nouveaux, 2 mis à jour), 1 ligne ignorée : » and the lines."""
    summary = (
        f"{_count(report.imported, 'adhérent importé', 'adhérents importés')} "
        f"({_count(report.created, 'nouveau', 'nouveaux')}, {report.updated} mis à jour)"
    )
    if not report.errors:
        return [summary + "."]
    skipped = _count(report.skipped, "ligne ignorée", "lignes ignorées")
    return [f"{summary}, {skipped} :"] + [f"ligne {line} : {reason}" for line, reason in report.errors]


def _count(n: int, singular: str, plural: str) -> str:
    """French agreement: 0 and 1 take the singular."""
    return f"{n} {singular if n < 2 else plural}"


def _db_upgrade(args: argparse.Namespace) -> int:
    url = load_settings().database_url
    try:
        upgrade_database(url)
    except OperationalError as exc:
        return unreachable(url, exc)
    print(f"Base des adhérents à jour (révision {head_revision()}) : {shown(url)}")
    return 0


def _db_pools(args: argparse.Namespace) -> int:
    settings = load_settings()
    replicas = Replicas(rasa=args.rasa, web=args.web, actions=args.actions, mail_worker=args.mail_worker)
    max_connections: int | None = None
    if make_url(settings.database_url).get_backend_name() == "postgresql":
        try:
            with make_engine(settings.database_url).connect() as connection:
                max_connections = int(connection.execute(text("SHOW max_connections")).scalar_one())
        except OperationalError as exc:
            return unreachable(settings.database_url, exc)
    print(explain(settings, replicas, max_connections))
    fits = max_connections is None or connections_needed(settings, replicas) <= max_connections
    return 0 if fits else 1


def _members_import(args: argparse.Namespace) -> int:
    settings = load_settings()
    url, key = settings.database_url, settings.nir_hash_key
    if key == DEFAULTS["NIR_HASH_KEY"]:
        print(
            "Attention : NIR_HASH_KEY a sa valeur de développement. Changez-la avant d'importer "
            "de vrais adhérents : une fois la clé changée, les adhérents déjà importés "
            "ne seraient plus reconnus (il faudrait les importer à nouveau).",
            file=sys.stderr,
        )
    try:
        if not schema_ready(url):
            return 1
        with session_scope(make_engine(url)) as session:
            report = import_members(session, args.file, key)
    except MemberFileError as exc:
        print(f"Import annulé : {exc.message}", file=sys.stderr)
        return 1
    except OperationalError as exc:
        return unreachable(url, exc)
    print("\n".join(format_report(report)))
    return 0


def _members_seed_demo(args: argparse.Namespace) -> int:
    settings = load_settings()
    url = settings.database_url
    try:
        if not schema_ready(url):
            return 1
        with session_scope(make_engine(url)) as session:
            report = seed_demo(session, settings.nir_hash_key)
    except OperationalError as exc:
        return unreachable(url, exc)
    except RealMembersPresent as refused:
        print(
            f"Adhérents de démonstration non ajoutés : cette base contient déjà {refused.count} "
            f"adhérent{'s' if refused.count > 1 else ''} réel{'s' if refused.count > 1 else ''}. "
            "Les adhérents fictifs ne vont que dans une base de développement ou de recette.",
            file=sys.stderr,
        )
        return SEED_REFUSED
    print("Adhérents de démonstration : " + "\n".join(format_report(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
