"""The agents' audit log: append a line, read lines, export them as CSV.

Append-only twice over: this module has no update or delete, and the database
refuses them (triggers of migrations 0004 and 0008). A line says who (an agent's
login, ``cli:<user>`` for the command line, ``anonyme`` for a sign-in under no
account), when, what, and for which member by the keyed hash of the NIR; ``detail``
holds only non-identifying facts (a channel, a count, an intent name, the keyed hash
of an address, a conversation's reference), never a NIR, an email address, a password,
a typed question or a conversation id (the member's chat credential: supervisors read
this log). Lines written before references existed may hold an id under
``conversation``: ``shown_detail`` replaces it by its reference wherever the log is shown.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import AgentAction
from bot.db.models import AgentAuditEntry, utcnow
from bot.rules.conversation_refs import ConversationRefs

CSV_COLUMNS = ("date_utc", "acteur", "action", "adherent_nir_hash", "detail")


def record(
    session: Session,
    actor: str,
    action: AgentAction,
    *,
    nir_hash: str | None = None,
    now: dt.datetime | None = None,
    **detail: str | int | bool | None,
) -> AgentAuditEntry:
    """Add one line to the log, in the caller's unit of work (committed with what it records)."""
    entry = AgentAuditEntry(
        created_at=now or utcnow(), actor=actor, action=action.value, nir_hash=nir_hash, detail=detail
    )
    session.add(entry)
    return entry


def entries(
    session: Session,
    *,
    since: dt.datetime | None = None,
    actor: str | None = None,
    limit: int | None = None,
    newest_first: bool = False,
) -> Sequence[AgentAuditEntry]:
    """The log's lines since ``since`` (inclusive), of ``actor`` only if given."""
    query = select(AgentAuditEntry)
    if since is not None:
        query = query.where(AgentAuditEntry.created_at >= since)
    if actor is not None:
        query = query.where(AgentAuditEntry.actor == actor)
    order = (
        (AgentAuditEntry.created_at.desc(), AgentAuditEntry.id.desc())
        if newest_first
        else (
            AgentAuditEntry.created_at,
            AgentAuditEntry.id,
        )
    )
    query = query.order_by(*order)
    if limit is not None:
        query = query.limit(limit)
    return session.scalars(query).all()


def shown_detail(detail: dict[str, object] | None, refs: ConversationRefs) -> dict[str, object]:
    """A line's detail as staff may see it: a conversation named by its reference, never its id."""
    shown = dict(detail or {})
    conversation = shown.get("conversation")
    if isinstance(conversation, str) and conversation:
        shown["conversation"] = refs.shown(conversation)
    return shown


def _cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula (OWASP's CSV injection advice)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def to_csv(lines: Iterable[AgentAuditEntry], refs: ConversationRefs) -> str:
    """The lines as CSV (comma, header row, CRLF line ends as in RFC 4180), times in UTC ISO 8601.

    CRLF, not "\n": the writer quotes a cell only when it holds a character of the
    line terminator, and a login typed at sign-in may hold a carriage return.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for line in lines:
        writer.writerow(
            [
                line.created_at.astimezone(dt.timezone.utc).isoformat(timespec="seconds"),
                _cell(line.actor),
                _cell(line.action),
                line.nir_hash or "",
                _cell(json.dumps(shown_detail(line.detail, refs), ensure_ascii=False, sort_keys=True)),
            ]
        )
    return out.getvalue()
