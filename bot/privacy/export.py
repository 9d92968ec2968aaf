"""Everything Sésame holds about one member, in French, for the data-protection officer.

The member is named by the keyed hash of their NIR (``bot.members.lookup.hash_nir``):
the NIR itself is stored nowhere, so this is also how every record about them is
found. What is gathered: the member's file, their reset requests with the emails and
letters, the look-ups of their NIR, their hand-offs (those where the NIR was checked,
``handoffs.member_ref``) with messages and the conversations they came from (with the
member's « Oui » / « Non » to « Cette réponse vous a aidé ? » in them), and the
two audit logs' lines about them. Keys are French; times are UTC in ISO 8601. A hash,
a token or an access code is never exported (only whether one is set): it would
mean nothing to the member and could help an attacker.

``to_json`` and ``to_csv`` write it out; the CSV has one line per field (rubrique,
numéro, champ, valeur) and every cell goes through ``neutralise_formula`` (OWASP's
advice against CSV injection: a member's name or message could start with "=").
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session

from bot.db.models import (
    AgentAuditEntry,
    AnswerFeedback,
    AuditEvent,
    Handoff,
    HandoffMessage,
    Member,
    NirLookup,
    ResetRequest,
)
from bot.resets.letters import neutralise_formula
from bot.workbench.tracker import EVENTS, conversation_events

CSV_HEADER = ("rubrique", "numero", "champ", "valeur")
# What the conversation store's events say, for the member (other events are the bot's machinery).
SPOKEN = {"user": "adhérent", "bot": "Sésame"}


def _when(moment: dt.datetime | dt.date | None) -> str | None:
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")
    return moment.isoformat()


def _member(member: Member | None) -> dict[str, Any] | None:
    if member is None:
        return None
    return {
        "prenom": member.first_name,
        "nom": member.last_name,
        "email": member.email,
        "adresse": member.street,
        "code_postal": member.postal_code,
        "ville": member.city,
        "code_acces_enregistre": member.access_code_hash is not None,
        "nouveau_code_en_attente": member.pending_access_code_hash is not None,
        "cree_le": _when(member.created_at),
        "modifie_le": _when(member.updated_at),
    }


def _reset(request: ResetRequest) -> dict[str, Any]:
    email, letter = request.email, request.letter
    return {
        "date": _when(request.created_at),
        "canal": {"email": "e-mail", "letter": "courrier"}.get(request.channel.value, request.channel.value),
        "lien_valable_jusqu_au": _when(request.token_expires_at),
        "lien_utilise_le": _when(request.token_used_at),
        "demande_par_un_conseiller": request.agent_id is not None,
        "email_adresse": email.to_address if email else None,
        "email_etat": email.status.value if email else None,
        "email_envoye_le": _when(email.sent_at) if email else None,
        "courrier_cree_le": _when(letter.created_at) if letter else None,
        "courrier_attendu_avant": _when(letter.expected_by) if letter else None,
        "courrier_imprime_le": _when(letter.exported_at) if letter else None,
    }


def _handoff(session: Session, handoff: Handoff) -> dict[str, Any]:
    messages = session.scalars(
        select(HandoffMessage).where(HandoffMessage.handoff_id == handoff.id).order_by(HandoffMessage.id)
    )
    return {
        "date": _when(handoff.created_at),
        "conversation": handoff.conversation_id,
        "type": {"live": "discussion", "callback": "rappel"}.get(handoff.kind.value, handoff.kind.value),
        "etat": handoff.state.value,
        "motif": handoff.reason.value,
        "resume": handoff.summary,
        "transcription": handoff.transcript,
        "rappel_telephone": handoff.callback_phone,
        "rappel_creneau": handoff.callback_slot,
        "messages": [
            {"date": _when(m.created_at), "auteur": m.author.value, "texte": m.text} for m in messages
        ],
    }


def _conversations(tracker: Engine | None, conversation_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The member's and Sésame's messages in the conversations of their hand-offs (masked as stored)."""
    if tracker is None or not conversation_ids or not inspect(tracker).has_table(EVENTS.name):
        return []
    found = []
    for conversation_id in dict.fromkeys(conversation_ids):
        events = conversation_events(tracker, conversation_id, types=list(SPOKEN))
        found.append(
            {
                "conversation": conversation_id,
                "messages": [
                    {"date": _when(e.at), "auteur": SPOKEN[e.type_name], "texte": e.text}
                    for e in events
                    if e.text
                ],
            }
        )
    return found


def _feedback(session: Session, conversation_ids: Sequence[str]) -> list[dict[str, Any]]:
    """The member's « Oui » / « Non » to « Cette réponse vous a aidé ? » in those conversations."""
    if not conversation_ids:
        return []
    rows = session.scalars(
        select(AnswerFeedback)
        .where(AnswerFeedback.conversation_id.in_(list(conversation_ids)))
        .order_by(AnswerFeedback.id)
    )
    return [
        {
            "date": _when(row.created_at),
            "conversation": row.conversation_id,
            "message": row.event_id,
            "reponse_utile": row.helpful,
        }
        for row in rows
    ]


def member_data(session: Session, nir_hash: str, tracker: Engine | None = None) -> dict[str, Any]:
    """Every record about the member whose keyed NIR hash is ``nir_hash`` (empty lists when none)."""
    member = session.scalars(select(Member).where(Member.nir_hash == nir_hash)).one_or_none()
    resets = (
        session.scalars(
            select(ResetRequest).where(ResetRequest.member_id == member.id).order_by(ResetRequest.id)
        ).all()
        if member
        else []
    )
    handoffs = session.scalars(
        select(Handoff).where(Handoff.member_ref == nir_hash).order_by(Handoff.id)
    ).all()
    lookups = session.scalars(select(NirLookup).where(NirLookup.nir_hash == nir_hash).order_by(NirLookup.id))
    events = (
        session.scalars(
            select(AuditEvent).where(AuditEvent.member_id == member.id).order_by(AuditEvent.id)
        ).all()
        if member
        else []
    )
    agent_lines = session.scalars(
        select(AgentAuditEntry).where(AgentAuditEntry.nir_hash == nir_hash).order_by(AgentAuditEntry.id)
    )
    return {
        "adherent": _member(member),
        "demandes_de_nouveau_code": [_reset(r) for r in resets],
        "recherches_par_numero_de_securite_sociale": [
            {"date": _when(x.created_at), "resultat": x.outcome} for x in lookups
        ],
        "prises_en_charge_par_un_conseiller": [_handoff(session, h) for h in handoffs],
        "conversations_avec_sesame": _conversations(tracker, [h.conversation_id for h in handoffs]),
        "avis_sur_les_reponses": _feedback(session, [h.conversation_id for h in handoffs]),
        "journal_des_evenements": [
            {"date": _when(e.created_at), "evenement": e.kind, "detail": e.detail} for e in events
        ],
        "journal_des_conseillers": [
            {"date": _when(x.created_at), "auteur": x.actor, "action": x.action, "detail": x.detail}
            for x in agent_lines
        ],
    }


def to_json(data: dict[str, Any]) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def _flatten(prefix: str, value: Any) -> Iterator[tuple[str, str]]:
    """``(champ, valeur)`` pairs: nested keys joined with dots, lists numbered from 1."""
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(f"{prefix}.{key}" if prefix else str(key), inner)
    elif isinstance(value, list):
        for number, inner in enumerate(value, start=1):
            yield from _flatten(f"{prefix}.{number}", inner)
    elif value is None:
        yield prefix, ""
    elif isinstance(value, bool):
        yield prefix, "oui" if value else "non"
    else:
        yield prefix, str(value)


def to_csv(data: dict[str, Any]) -> str:
    """One line per field; every cell safe to open in a spreadsheet (CRLF line ends, RFC 4180)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for section, content in data.items():
        records = content if isinstance(content, list) else [content] if content is not None else []
        for number, record in enumerate(records, start=1):
            for field, value in _flatten("", record):
                writer.writerow([neutralise_formula(c) for c in (section, str(number), field, value)])
    return out.getvalue()
