"""``./sesame handoffs list [--json]``: the hand-offs waiting for an agent or held by one;
``./sesame handoffs done N`` / ``unreachable N``: a call-back made, or the member not reached.

Lists what the agents' queue shows (``bot.handoffs.queue.queue``): live chats waiting
or active, and call-backs waiting, oldest first, with their id, conversation reference
(never the conversation id: it is the member's chat credential, and whoever reads this
list is staff), age, state, kind and summary (on one line).

The call-back number: the table shows it masked ("06 •• •• •• 78"), since a table
ends up on screens and in terminal logs; ``--json`` gives it in full
(``callback_phone``), because it is meant for a program or an agent who must call
the member back — the same person who may read the database. Neither shows the
member's NIR (the hand-off never holds it, only whether it was checked). A call-back
shows the moment in the member's words and the window read from them (Paris time).

``done`` / ``unreachable`` close a waiting call-back as the console's « Rappel fait » /
« Injoignable » buttons do, audited under ``cli:<system user>`` (no agent is signed in).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from typing import Any

from sqlalchemy.exc import OperationalError

from bot.agents import audit
from bot.cli.agents import operator
from bot.cli.database import schema_ready, unreachable
from bot.db.engine import make_engine, session_scope
from bot.db.enums import AgentAction
from bot.db.models import Handoff, utcnow
from bot.handoffs.queue import HandoffError, finish_callback, queue
from bot.handoffs.summary import one_line
from bot.rules.callback_time import window_text
from bot.rules.conversation_refs import ConversationRefs
from bot.rules.french_time import PARIS
from bot.rules.phone import mask_phone
from bot.settings import load_settings

STATES = {"waiting": "en attente", "active": "en cours"}
KINDS = {"live": "chat", "callback": "rappel"}


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    handoffs = subparsers.add_parser(
        "handoffs", help="conversations passées à un conseiller (chat ou rappel)"
    )
    commands = handoffs.add_subparsers(dest="handoffs_command", metavar="ACTION", required=True)
    listing = commands.add_parser(
        "list", help="les prises en charge ouvertes et les rappels en attente, les plus anciens d'abord"
    )
    listing.add_argument(
        "--json",
        action="store_true",
        help="une liste JSON (avec le numéro de rappel en entier) au lieu du tableau",
    )
    listing.set_defaults(handler=_list)
    for name, reached, words in (
        ("done", True, "marquer un rappel comme fait (l'adhérent a été joint)"),
        ("unreachable", False, "marquer un rappel : adhérent injoignable"),
    ):
        step = commands.add_parser(name, help=words)
        step.add_argument("id", type=int, metavar="N", help="le numéro du rappel (colonne ID de « list »)")
        step.set_defaults(handler=_finish, reached=reached)


def age(created_at: dt.datetime, now: dt.datetime) -> str:
    """How long ago, in French: "2 min", "1 h 05", "3 j 4 h"."""
    minutes = max(int((now - created_at).total_seconds() // 60), 0)
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes:02d}"
    days, hours = divmod(hours, 24)
    return f"{days} j {hours} h"


def as_json(handoff: Handoff, now: dt.datetime, refs: ConversationRefs) -> dict[str, Any]:
    return {
        "id": handoff.id,
        "conversation": refs.of(handoff.conversation_id),
        "kind": handoff.kind.value,
        "state": handoff.state.value,
        "reason": handoff.reason.value,
        "channel": handoff.channel,
        "created_at": handoff.created_at.isoformat(),
        "age_seconds": int((now - handoff.created_at).total_seconds()),
        "agent": handoff.agent.login if handoff.agent else None,
        "summary": handoff.summary,
        "nir_checked": handoff.member_ref is not None,
        "callback_phone": handoff.callback_phone,
        "callback_slot": handoff.callback_slot,
        "callback_from": handoff.callback_from.isoformat() if handoff.callback_from else None,
        "callback_until": handoff.callback_until.isoformat() if handoff.callback_until else None,
        "transcript": handoff.transcript,
    }


def when(handoff: Handoff, now: dt.datetime) -> str:
    """« , « vers 17h » (aujourd'hui entre 16 h 30 et 17 h 30) »: the member's words, then the window."""
    if not handoff.callback_slot:
        return ""
    window = window_text(handoff.callback_from, handoff.callback_until, now)
    return f", « {one_line(handoff.callback_slot, 40)} » ({window})"


def table(handoffs: list[Handoff], now: dt.datetime, refs: ConversationRefs) -> str:
    if not handoffs:
        return "Aucune conversation en attente d'un conseiller."
    lines = [f"{'ID':>5}  {'CONVERSATION':<13} {'ÂGE':>9}  {'ÉTAT':<11} {'TYPE':<7} RÉSUMÉ"]
    for handoff in handoffs:
        summary = one_line(handoff.summary, 90)
        if handoff.callback_phone:
            summary = f"Rappel au {mask_phone(handoff.callback_phone)}{when(handoff, now)} | {summary}"
        lines.append(
            f"{handoff.id:>5}  {refs.of(handoff.conversation_id):<13} {age(handoff.created_at, now):>9}  "
            f"{STATES.get(handoff.state.value, handoff.state.value):<11} "
            f"{KINDS.get(handoff.kind.value, handoff.kind.value):<7} {summary}"
        )
    local = now.astimezone(PARIS).strftime("%d/%m/%Y %H:%M")
    lines.append(f"{len(handoffs)} en tout, au {local} (heure de Paris).")
    return "\n".join(lines)


def _list(args: argparse.Namespace) -> int:
    settings = load_settings()
    url, refs = settings.database_url, ConversationRefs(settings.nir_hash_key)
    try:
        if not schema_ready(url):
            return 1
        now = utcnow()
        with session_scope(make_engine(url)) as session:
            handoffs = list(queue(session))
            if args.json:
                print(json.dumps([as_json(h, now, refs) for h in handoffs], ensure_ascii=False, indent=2))
            else:
                print(table(handoffs, now, refs))
    except OperationalError as exc:
        return unreachable(url, exc)
    sys.stdout.flush()
    return 0


def _finish(args: argparse.Namespace) -> int:
    url = load_settings().database_url
    try:
        if not schema_ready(url):
            return 1
        with session_scope(make_engine(url)) as session:
            try:
                handoff = finish_callback(session, args.id, None, reached=args.reached)
            except HandoffError as refused:
                print(f"Rappel n° {args.id} : {refused}", file=sys.stderr)
                return 1
            action = AgentAction.CALLBACK_DONE if args.reached else AgentAction.CALLBACK_UNREACHABLE
            audit.record(session, operator(), action, nir_hash=handoff.member_ref, prise_en_charge=args.id)
    except OperationalError as exc:
        return unreachable(url, exc)
    print(f"Rappel n° {args.id} : " + ("fait." if args.reached else "adhérent injoignable."))
    return 0
