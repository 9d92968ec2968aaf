"""``./sesame agents …`` and ``./sesame audit export``: the agents' accounts and their audit log.

Passwords are asked twice without echo (``getpass``) on a terminal, or read as one
line from standard input otherwise (``echo … | ./sesame agents add demo``, scripts,
tests), and never printed. Every account change is audited under ``cli:<user>``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys
from collections.abc import Callable
from typing import TextIO

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.agents import accounts, audit
from bot.agents.passwords import MIN_LENGTH, PasswordRefused
from bot.cli.database import schema_ready, unreachable
from bot.db.engine import make_engine, session_scope
from bot.db.enums import AgentRole
from bot.rules.conversation_refs import ConversationRefs
from bot.rules.french_time import PARIS
from bot.settings import load_settings

# Where each role signs in: a formateur has the workbench, not the console.
ROLE_PAGES: dict[AgentRole, str] = {
    AgentRole.CONSEILLER: "/conseiller/",
    AgentRole.SUPERVISEUR: "/conseiller/ (console) et /atelier/ (atelier)",
    AgentRole.FORMATEUR: "/atelier/",
}

Handler = Callable[[argparse.Namespace], int]


class PasswordEntryFailed(ValueError):
    """The two passwords differ, or nothing was given; the message says so in French."""


def operator() -> str:
    """Who runs the command, for the audit log: ``cli:<login of the system user>``."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = "inconnu"
    return f"cli:{user}"[:100]


def read_password(stdin: TextIO | None = None, prompt: Callable[[str], str] = getpass.getpass) -> str:
    """The new password: asked twice without echo on a terminal, else one line of ``stdin``."""
    stream = stdin or sys.stdin
    if stream.isatty():
        first = prompt(f"Mot de passe ({MIN_LENGTH} caractères au moins) : ")
        second = prompt("Confirmez le mot de passe : ")
        if first != second:
            raise PasswordEntryFailed("Les deux saisies diffèrent : rien n'a été changé.")
        password = first
    else:
        password = stream.readline().rstrip("\r\n")
    if not password:
        raise PasswordEntryFailed("Aucun mot de passe saisi : rien n'a été changé.")
    return password


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    agents = subparsers.add_parser("agents", help="comptes des conseillers de la console (/conseiller/)")
    commands = agents.add_subparsers(dest="agents_command", metavar="ACTION", required=True)
    add = commands.add_parser(
        "add",
        help="crée un compte (le mot de passe est demandé deux fois, ou lu sur l'entrée standard)",
    )
    add.add_argument("login", metavar="IDENTIFIANT")
    add.add_argument("--nom", default=None, help="nom affiché (par défaut : l'identifiant)")
    add.add_argument(
        "--role",
        choices=[role.value for role in AgentRole],
        default=AgentRole.CONSEILLER.value,
        help="conseiller (par défaut), superviseur (voit l'e-mail en entier et le journal) "
        "ou formateur (l'atelier)",
    )
    add.set_defaults(handler=_add)
    commands.add_parser("list", help="liste les comptes").set_defaults(handler=_list)
    disable = commands.add_parser("disable", help="désactive un compte et ferme ses sessions")
    disable.add_argument("login", metavar="IDENTIFIANT")
    disable.set_defaults(handler=_disable)
    reset = commands.add_parser(
        "reset-password", help="change le mot de passe d'un compte et ferme ses sessions"
    )
    reset.add_argument("login", metavar="IDENTIFIANT")
    reset.set_defaults(handler=_reset_password)
    unlock = commands.add_parser(
        "unlock", help="oublie les échecs de connexion d'un compte : il peut se connecter tout de suite"
    )
    unlock.add_argument("login", metavar="IDENTIFIANT")
    unlock.set_defaults(handler=_unlock)

    audit_parser = subparsers.add_parser("audit", help="journal des actions des conseillers")
    audit_commands = audit_parser.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    export = audit_commands.add_parser("export", help="affiche le journal au format CSV")
    export.add_argument(
        "--since",
        required=True,
        type=_date,
        metavar="AAAA-MM-JJ",
        help="à partir de ce jour (heure de Paris)",
    )
    export.add_argument(
        "--agent", default=None, metavar="IDENTIFIANT", help="les actions de ce conseiller seulement"
    )
    export.set_defaults(handler=_export)


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"date invalide « {text} » : attendu AAAA-MM-JJ, par exemple 2026-11-30"
        ) from None


def _run(work: Callable[[], int]) -> int:
    url = load_settings().database_url
    try:
        if not schema_ready(url):
            return 1
        return work()
    except OperationalError as exc:
        return unreachable(url, exc)
    except (accounts.AccountError, PasswordRefused, PasswordEntryFailed) as refused:
        print(f"Refusé : {refused}", file=sys.stderr)
        return 1


def _engine() -> Engine:
    return make_engine(load_settings().database_url)


def _add(args: argparse.Namespace) -> int:
    def work() -> int:
        login = accounts.normalise_login(args.login)
        with session_scope(_engine()) as session:
            if accounts.find_agent(session, login) is not None:
                raise accounts.AccountError(f"L'identifiant « {login} » existe déjà.")
        password = read_password()
        with session_scope(_engine()) as session:
            agent = accounts.add_agent(
                session, login, password, actor=operator(), display_name=args.nom, role=AgentRole(args.role)
            )
            print(f"Compte créé : {agent.login} ({agent.role.value}). Connexion : {ROLE_PAGES[agent.role]}")
        return 0

    return _run(work)


def _list(args: argparse.Namespace) -> int:
    def work() -> int:
        with session_scope(_engine()) as session:
            agents = accounts.list_agents(session)
            if not agents:
                print("Aucun compte. Créez-en un : ./sesame agents add IDENTIFIANT")
                return 0
            print(f"{'IDENTIFIANT':<20} {'NOM':<28} {'RÔLE':<12} {'ÉTAT':<10} DERNIÈRE CONNEXION")
            for agent in agents:
                last = (
                    agent.last_sign_in_at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
                    if agent.last_sign_in_at
                    else "jamais"
                )
                state = "actif" if agent.active else "désactivé"
                name = agent.display_name[:28]
                print(f"{agent.login:<20} {name:<28} {agent.role.value:<12} {state:<10} {last}")
        return 0

    return _run(work)


def _disable(args: argparse.Namespace) -> int:
    def work() -> int:
        with session_scope(_engine()) as session:
            agent = accounts.disable_agent(session, args.login, actor=operator())
            print(f"Compte désactivé : {agent.login} ; ses sessions sont fermées.")
        return 0

    return _run(work)


def _reset_password(args: argparse.Namespace) -> int:
    def work() -> int:
        with session_scope(_engine()) as session:
            if accounts.find_agent(session, args.login) is None:
                raise accounts.AccountError(
                    f"Aucun conseiller n'a l'identifiant « {args.login.strip().lower()} »."
                )
        password = read_password()
        with session_scope(_engine()) as session:
            agent = accounts.reset_password(session, args.login, password, actor=operator())
            print(f"Mot de passe changé : {agent.login} ; ses sessions sont fermées.")
        return 0

    return _run(work)


def _unlock(args: argparse.Namespace) -> int:
    def work() -> int:
        with session_scope(_engine()) as session:
            forgotten = accounts.unlock_agent(session, args.login, actor=operator())
            login = args.login.strip().lower()
            print(f"Compte débloqué : {login} ; {forgotten} échec(s) de connexion oublié(s).")
        return 0

    return _run(work)


def _export(args: argparse.Namespace) -> int:
    since = dt.datetime.combine(args.since, dt.time(0, 0), tzinfo=PARIS).astimezone(dt.timezone.utc)

    def work() -> int:
        with session_scope(_engine()) as session:
            actor = args.agent.strip().lower() if args.agent else None
            refs = ConversationRefs(load_settings().nir_hash_key)
            sys.stdout.write(audit.to_csv(audit.entries(session, since=since, actor=actor), refs))
        return 0

    return _run(work)
