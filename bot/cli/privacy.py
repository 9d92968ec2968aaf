"""``./sesame privacy purge|export|erase``: personal data, for the operator and the data-protection officer.

- ``purge [--dry-run]``: delete what is past its retention period (the mail worker
  does it every hour anyway), or only count it; prints a table per kind of record.
- ``export NIR [--format json|csv] [--output F]``: everything Sésame holds about a member.
- ``erase NIR [--yes]``: delete it, after showing what will go and asking to type « effacer ».

The NIR goes through the same check as a member's (``bot.rules.nir``), is hashed at
once, and is never printed back in clear (only masked, « 1 84 ** ** *** *** 56 ») nor
logged. Give ``-`` instead of the number to type it on standard input: it then stays
out of the shell's history and of the process list. Each command is written to the
agents' audit log under ``cli:<user>``, with the member's keyed hash, never the NIR.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from bot.agents import audit
from bot.cli.agents import operator
from bot.cli.database import schema_ready, unreachable
from bot.db.engine import make_engine, session_scope
from bot.db.enums import AgentAction
from bot.members.lookup import hash_nir
from bot.privacy import erase as erasure
from bot.privacy import export
from bot.privacy.purge import PurgeReport, purge
from bot.privacy.retention import RetentionPolicy, in_words
from bot.privacy.schedule import purge_lock, record_purge
from bot.rules.nir import InvalidNir, mask_nir, normalize_nir
from bot.settings import Settings, load_settings
from bot.workbench.tracker import tracker_engine_url

CONFIRMATION = "effacer"
TABLE_LABELS = {
    "members": "fiche de l'adhérent",
    "reset_requests": "demandes de nouveau code",
    "outbox": "e-mails",
    "postal_letters": "courriers",
    "nir_lookups": "recherches par numéro de Sécurité sociale",
    "handoffs": "prises en charge par un conseiller",
    "handoff_messages": "messages de ces prises en charge",
    "review_decisions": "décisions des formateurs sur ces conversations",
    "review_flags": "signalements de ces conversations",
    "answer_feedback": "avis « Cette réponse vous a aidé ? » donnés dans ces conversations",
    "events": "messages et événements de ces conversations",
}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    privacy = subparsers.add_parser(
        "privacy", help="données personnelles : purge des durées de conservation, export et effacement"
    )
    commands = privacy.add_subparsers(dest="privacy_command", metavar="ACTION", required=True)
    purge_parser = commands.add_parser(
        "purge", help="efface ce qui a dépassé sa durée de conservation (aussi fait chaque heure)"
    )
    purge_parser.add_argument(
        "--dry-run", action="store_true", help="compte seulement ce qui serait effacé, sans rien effacer"
    )
    purge_parser.set_defaults(handler=_purge)
    nir_help = (
        "numéro de Sécurité sociale de l'adhérent (15 caractères), ou - pour le saisir sur l'entrée standard"
    )
    export_parser = commands.add_parser(
        "export", help="tout ce que Sésame garde sur un adhérent (droit d'accès)"
    )
    export_parser.add_argument("nir", metavar="NIR", help=nir_help)
    export_parser.add_argument(
        "--format",
        choices=("json", "csv"),
        default="json",
        help="json (par défaut) ou csv (une ligne par champ)",
    )
    export_parser.add_argument(
        "--output",
        type=Path,
        default=None,
        metavar="FICHIER",
        help="fichier à créer (par défaut : la sortie)",
    )
    export_parser.set_defaults(handler=_export)
    erase_parser = commands.add_parser(
        "erase", help="efface un adhérent de Sésame (droit à l'effacement), après confirmation"
    )
    erase_parser.add_argument("nir", metavar="NIR", help=nir_help)
    erase_parser.add_argument("--yes", action="store_true", help="ne pas demander de confirmation")
    erase_parser.set_defaults(handler=_erase)


def _engines(settings: Settings) -> tuple[Engine, Engine]:
    return make_engine(settings.database_url), make_engine(tracker_engine_url(settings.tracker_store_url))


def _run(work: Callable[[Settings], int]) -> int:
    settings = load_settings()
    url = settings.database_url
    try:
        if not schema_ready(url):
            return 1
        return work(settings)
    except OperationalError as exc:
        return unreachable(url, exc)


def _read_line(prompt: str) -> str:
    if sys.stdin.isatty():
        return input(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _member_key(raw: str, settings: Settings) -> tuple[str, str] | None:
    """``(keyed hash, masked NIR)`` of the NIR given (``-``: read it), or None after saying why."""
    text = _read_line("Numéro de Sécurité sociale de l'adhérent : ") if raw == "-" else raw
    try:
        number = normalize_nir(text)
    except InvalidNir as refused:
        print(f"Numéro refusé : {refused.message}", file=sys.stderr)
        return None
    return hash_nir(number, settings.nir_hash_key), mask_nir(number)


@dataclass(frozen=True)
class _Member:
    """The member a command is about: their keyed NIR hash, the NIR masked for messages, the databases."""

    nir_hash: str
    masked: str
    engine: Engine
    tracker: Engine


def _run_for_member(raw_nir: str, work: Callable[[_Member], int]) -> int:
    """``_run`` for a command about one member: a refused NIR ends it with status 2."""

    def checked(settings: Settings) -> int:
        key = _member_key(raw_nir, settings)
        if key is None:
            return 2
        return work(_Member(*key, *_engines(settings)))

    return _run(checked)


def purge_table(report: PurgeReport, policy: RetentionPolicy) -> str:
    periods = {category.key: category for category in policy.categories()}
    lines = [f"{'DONNÉES':<58} {'DURÉE':>10} {'NOMBRE':>8}"]
    for line in report.lines:
        lines.append(f"{line.label:<58} {in_words(periods[line.category].days):>10} {line.count:>8}")
    verb = "à effacer (essai : rien n'a été effacé)" if report.dry_run else "effacé(s)"
    lines.append(f"Total : {report.total} enregistrement(s) {verb}.")
    return "\n".join(lines)


def _purge(args: argparse.Namespace) -> int:
    def work(settings: Settings) -> int:
        engine, tracker = _engines(settings)
        policy = RetentionPolicy.from_settings(settings)
        with purge_lock(engine) as taken:
            if not taken:
                print(
                    "Une purge est déjà en cours (worker d'envoi) : réessayez dans un instant.",
                    file=sys.stderr,
                )
                return 1
            report = purge(engine, tracker, policy, dry_run=args.dry_run)
            record_purge(engine, operator(), report)
        print(purge_table(report, policy))
        return 0

    return _run(work)


def _export(args: argparse.Namespace) -> int:
    def work(member: _Member) -> int:
        nir_hash, masked, engine, tracker = member.nir_hash, member.masked, member.engine, member.tracker
        with session_scope(engine) as session:
            data = export.member_data(session, nir_hash, tracker)
            text = export.to_csv(data) if args.format == "csv" else export.to_json(data)
            if args.output is not None:
                try:
                    # Created, never overwritten, readable by its owner only: it holds a member's data.
                    descriptor = os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                except FileExistsError:
                    print(f"Le fichier {args.output} existe déjà : rien n'a été écrit.", file=sys.stderr)
                    return 1
                with os.fdopen(descriptor, "w", encoding="utf-8", newline="") as out:
                    out.write(text)
            audit.record(
                session,
                operator(),
                AgentAction.PRIVACY_EXPORT,
                nir_hash=nir_hash,
                format=args.format,
                adherent_connu=data["adherent"] is not None,
            )
        if args.output is None:
            sys.stdout.write(text)
        else:
            print(
                f"Données de l'adhérent {masked} écrites dans {args.output} ({args.format}).", file=sys.stderr
            )
        return 0

    return _run_for_member(args.nir, work)


def describe(plan: erasure.ErasurePlan, masked: str) -> str:
    lines = [
        f"Adhérent {masked} : " + ("fiche trouvée." if plan.member_found else "aucune fiche d'adhérent.")
    ]
    lines += [f"  {TABLE_LABELS[table]} : {count}" for table, count in plan.deleted.items() if count]
    if plan.anonymised_events:
        lines.append(f"  lignes du journal des événements détachées de l'adhérent : {plan.anonymised_events}")
    if plan.kept_agent_audit:
        lines.append(
            f"  conservées : {plan.kept_agent_audit} ligne(s) du journal des conseillers (obligation de "
            "traçabilité ; elles ne nomment l'adhérent que par une empreinte et sont purgées à leur terme)"
        )
    return "\n".join(lines)


def _erase(args: argparse.Namespace) -> int:
    def work(member: _Member) -> int:
        nir_hash, masked, engine, tracker = member.nir_hash, member.masked, member.engine, member.tracker
        try:
            with session_scope(engine) as session:
                plan = erasure.plan_erasure(session, nir_hash, tracker)
            print(describe(plan, masked))
            if not plan.total:
                print("Rien à effacer.")
                return 0
            if not args.yes:
                answer = _read_line(f"Pour effacer définitivement, tapez « {CONFIRMATION} » : ")
                if answer.strip().lower() != CONFIRMATION:
                    print("Effacement annulé : rien n'a été effacé.", file=sys.stderr)
                    return 1
            with session_scope(engine) as session:
                done = erasure.erase(session, nir_hash, tracker)
                audit.record(
                    session,
                    operator(),
                    AgentAction.PRIVACY_ERASE,
                    nir_hash=nir_hash,
                    total=done.total,
                    journal_conserve=done.kept_agent_audit,
                )
        except erasure.ErasureRefused as refused:
            print(f"Refusé : {refused}", file=sys.stderr)
            return 1
        print(f"Adhérent {masked} effacé : {done.total} enregistrement(s) supprimé(s).")
        return 0

    return _run_for_member(args.nir, work)
