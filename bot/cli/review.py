"""``./sesame review stats --since DATE`` and ``./sesame review inbox [--limit N]``: the trainers' figures.

``stats``: per day, the share of member messages the bot did not understand, its
most frequent intents, the share of conversations handed to an agent and the
resets completed (emails sent, letters, codes changed). ``inbox``: the messages
waiting for a trainer (``bot.workbench.inbox``), masked, newest first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy import Engine, inspect
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from bot.cli.database import schema_ready, unreachable
from bot.db.engine import make_engine, session_scope
from bot.rules.french_time import PARIS
from bot.settings import load_settings
from bot.workbench.inbox import REASON_LABELS, REASONS, InboxFilters, inbox
from bot.workbench.stats import daily_stats, top_intents
from bot.workbench.tracker import create_tracker_table, tracker_engine_url

T = TypeVar("T")


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    review = subparsers.add_parser(
        "review", help="l'atelier des formateurs : statistiques et messages à revoir"
    )
    commands = review.add_subparsers(dest="review_command", metavar="ACTION", required=True)
    stats = commands.add_parser(
        "stats", help="par jour : incompréhensions, intentions fréquentes, passages à un conseiller, codes"
    )
    stats.add_argument("--since", required=True, type=_date, help="premier jour (AAAA-MM-JJ)")
    stats.add_argument("--until", type=_date, help="dernier jour (AAAA-MM-JJ ; par défaut aujourd'hui)")
    stats.set_defaults(handler=_stats)
    listing = commands.add_parser(
        "inbox", help="les messages d'adhérents à revoir, masqués, les plus récents d'abord"
    )
    listing.add_argument("--limit", type=int, default=20, help="combien en afficher (20 par défaut)")
    listing.add_argument("--reason", choices=REASONS, help="seulement ce motif")
    listing.add_argument("--all", action="store_true", help="y compris les messages déjà décidés")
    listing.set_defaults(handler=_inbox)


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"date attendue au format AAAA-MM-JJ, pas « {value} »") from error


def _percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _engines() -> tuple[Engine, Engine] | None:
    settings = load_settings()
    if not schema_ready(settings.database_url):
        return None
    tracker = make_engine(tracker_engine_url(settings.tracker_store_url))
    if not inspect(tracker).has_table("events"):
        create_tracker_table(tracker)  # no conversation yet: an empty store reads as such
    return tracker, make_engine(settings.database_url)


def _read(read: Callable[[Engine, Session], T]) -> T | int:
    """``read(tracker, session)`` on the conversation store and the member database.

    What both commands share: the schema check, one unit of work, and the French
    message (exit status 1) when the database is behind or does not answer.
    """
    settings = load_settings()
    try:
        engines = _engines()
        if engines is None:
            return 1
        tracker, database = engines
        with session_scope(database) as session:
            return read(tracker, session)
    except OperationalError as exc:
        return unreachable(settings.database_url, exc)


def _stats(args: argparse.Namespace) -> int:
    days = _read(lambda tracker, session: daily_stats(tracker, session, args.since, args.until))
    if isinstance(days, int):
        return days
    header = f"{'JOUR':<10}  {'MESSAGES':>8}  {'INCOMPRIS':>9}  {'CONV.':>5}  {'CONSEILLER':>10}  "
    header += f"{'E-MAILS':>7}  {'COURRIERS':>9}  {'CODES':>5}  INTENTIONS FRÉQUENTES"
    print(header)
    for day in days:
        top = ", ".join(f"{name} ({count})" for name, count in day.top_intents) or "—"
        print(
            f"{day.day.isoformat():<10}  {day.messages:>8}  {_percent(day.fallback_rate):>9}  "
            f"{day.conversations:>5}  {_percent(day.handoff_rate):>10}  {day.emails_sent:>7}  "
            f"{day.letters:>9}  {day.codes_changed:>5}  {top}"
        )
    messages = sum(d.messages for d in days)
    fallbacks = sum(d.fallbacks for d in days)
    conversations = sum(d.conversations for d in days)
    handed = sum(d.handoff_conversations for d in days)
    print(
        f"Total : {messages} messages, {_percent(fallbacks / messages if messages else 0.0)} non compris ; "
        f"{conversations} conversations, {_percent(handed / conversations if conversations else 0.0)} "
        f"passées à un conseiller ; {sum(d.resets_completed for d in days)} nouveaux codes envoyés "
        f"({sum(d.emails_sent for d in days)} e-mails, {sum(d.letters for d in days)} courriers), "
        f"{sum(d.codes_changed for d in days)} codes changés."
    )
    top = ", ".join(f"{name} ({count})" for name, count in top_intents(days)) or "—"
    print(f"Intentions les plus fréquentes : {top}")
    return 0


def _inbox(args: argparse.Namespace) -> int:
    if args.limit < 1:
        print("--limit : un nombre positif.", file=sys.stderr)
        return 2
    filters = InboxFilters(reason=args.reason, undecided_only=not args.all)
    page = _read(lambda tracker, session: inbox(tracker, session, filters, per_page=args.limit))
    if isinstance(page, int):
        return page
    print(f"{'ID':>6}  {'DATE':<16}  {'CONFIANCE':>9}  {'INTENTION':<28}  {'MOTIFS':<30}  MESSAGE")
    for item in page.items:
        when = item.at.astimezone(PARIS).strftime("%Y-%m-%d %H:%M")
        confidence = f"{item.confidence:.2f}" if item.confidence is not None else "—"
        reasons = ", ".join(REASON_LABELS[r] for r in item.reasons)
        label = (item.intent or "—")[:28]
        print(f"{item.id:>6}  {when:<16}  {confidence:>9}  {label:<28}  {reasons:<30}  {item.text}")
    shown = len(page.items)
    print(f"{page.total} message(s) à revoir" + (f", {shown} affiché(s)" if shown < page.total else "") + ".")
    return 0
