"""« Dossier de l'adhérent »: what the console shows an agent about one member.

The agent types the NIR the member reads out. The number is checked with the same
rules as in the chat (precise French errors), then the member is found by the keyed
hash. From a hand-off, the agent needs no number: the conversation already checked
it, and the hand-off keeps the member's keyed hash (``Handoff.member_ref``), which
never leaves the server (``find_for_handoff``).

The file says who (name, city, email masked — in full only for a ``superviseur``),
every recent request for a new code with its channel and where it stands (email
queued, sent or failed, link used or expired; letter requested, printed, due by),
how many requests the 24-hour limit still allows, and a suggested next step drawn
from the rules the bot itself answers with (``bot.resets.requests``).

Nothing here writes or logs: the route audits the look-up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import EmailStatus, ResetChannel
from bot.db.models import Agent, Handoff, Member, ResetRequest
from bot.members.lookup import find_by_ref, hash_nir
from bot.resets.requests import MAX_REQUESTS_PER_DAY, ResetStatus, reset_status
from bot.rules import french_time
from bot.rules.masking import mask_email
from bot.rules.nir import InvalidNir, normalize_nir
from bot.rules.nir_windows import remember_windows

HISTORY_SHOWN = 10
DAY = dt.timedelta(hours=24)

# The NIR checks speak to the member ("votre numéro"); the agent relays the same
# facts, so the console keeps them and says whose number it is.
NIR_PREFIX = "Numéro refusé : "
UNKNOWN_MEMBER = (
    "Numéro valide, mais aucun adhérent ACS n'a ce numéro. Faites-le relire chiffre par chiffre, "
    "sur la carte Vitale."
)
NO_VERIFIED_MEMBER = (
    "Aucun numéro de Sécurité sociale n'a été vérifié dans cette conversation : demandez-le à "
    "l'adhérent et saisissez-le dans « Dossier de l'adhérent »."
)
MEMBER_GONE = (
    "Le numéro vérifié dans cette conversation n'est plus celui d'un adhérent ACS : faites-le relire "
    "et saisissez-le dans « Dossier de l'adhérent »."
)


@dataclass(frozen=True)
class NirProblem:
    """The number cannot be a NIR (``message``, French), or no member has it."""

    message: str
    code: str  # a ``InvalidNir`` code, or "unknown_member"
    # An unknown member's number was a valid NIR: its keyed hash, for the audit log (never the NIR).
    nir_hash: str | None = None


@dataclass(frozen=True)
class RequestLine:
    """One request for a new code, as the agent reads it."""

    id: int
    requested_at: dt.datetime
    requested: str  # « aujourd'hui à 9 h 05 »
    channel: ResetChannel
    by_agent: str | None  # the agent's login, or None: the member asked in the chat
    state: str  # French, e.g. « e-mail envoyé aujourd'hui à 9 h 07 ; lien valable jusqu'à 9 h 37 »
    state_code: str  # email_pending, email_sent, email_failed, link_used, link_expired, letter_requested…
    expected_by: dt.date | None


@dataclass(frozen=True)
class MemberFile:
    nir_hash: str
    name: str
    city: str
    email_shown: str | None  # masked, or in full for a superviseur; None: no email on file
    email_is_full: bool
    requests: tuple[RequestLine, ...]
    remaining_today: int
    next_request_possible_at: dt.datetime | None  # when the 24-hour limit frees a request
    suggestion: str


def _email_state(request: ResetRequest, now: dt.datetime) -> tuple[str, str]:
    email = request.email
    if email is None:
        return "e-mail introuvable", "email_missing"
    if email.status == EmailStatus.FAILED:
        return f"échec de l'envoi de l'e-mail ({email.attempts} tentative(s))", "email_failed"
    if email.status == EmailStatus.WITHDRAWN:
        return "e-mail annulé avant l'envoi : remplacé par une demande plus récente", "email_withdrawn"
    if email.status in (EmailStatus.PENDING, EmailStatus.SENDING):
        return "e-mail en file d'envoi", "email_pending"
    sent = f"e-mail envoyé {french_time.moment(email.sent_at, now)}" if email.sent_at else "e-mail envoyé"
    if request.token_used_at is not None:
        return f"{sent} ; lien utilisé {french_time.moment(request.token_used_at, now)}", "link_used"
    if request.token_expires_at is not None and request.token_expires_at <= now:
        return f"{sent} ; lien expiré ou remplacé", "link_expired"
    if request.token_expires_at is not None:
        return f"{sent} ; lien valable jusqu'{french_time.until(request.token_expires_at, now)}", "email_sent"
    return sent, "email_sent"


def _letter_state(request: ResetRequest, now: dt.datetime) -> tuple[str, str]:
    letter = request.letter
    if letter is None:
        return "courrier introuvable", "letter_missing"
    due = f"arrivée au plus tard le {french_time.day(letter.expected_by)}"
    if letter.exported_at is None:
        return f"courrier demandé, pas encore imprimé ; {due}", "letter_requested"
    return f"courrier imprimé {french_time.moment(letter.exported_at, now)} ; {due}", "letter_exported"


def request_line(request: ResetRequest, agents: dict[int, str], now: dt.datetime) -> RequestLine:
    if request.channel == ResetChannel.EMAIL:
        state, code = _email_state(request, now)
    else:
        state, code = _letter_state(request, now)
    return RequestLine(
        id=request.id,
        requested_at=request.created_at,
        requested=french_time.moment(request.created_at, now),
        channel=request.channel,
        by_agent=agents.get(request.agent_id) if request.agent_id is not None else None,
        state=state,
        state_code=code,
        expected_by=request.letter.expected_by if request.letter else None,
    )


def suggestion(
    status: ResetStatus | None,
    remaining: int,
    next_possible: dt.datetime | None,
    has_email: bool,
    now: dt.datetime,
) -> str:
    """The next step to suggest to the agent, from the latest request and the limits."""
    offer = (
        "proposez un nouveau code par e-mail (adresse connue)"
        if has_email
        else "proposez un nouveau code par courrier (pas d'e-mail connu), qui arrive sous huitaine"
    )
    limit = ""
    if remaining <= 0 and next_possible is not None:
        limit = (
            f" La limite de {MAX_REQUESTS_PER_DAY} demandes en 24 h est atteinte : nouvelle demande "
            f"possible {french_time.moment(next_possible, now)}."
        )
    if status is None:
        return f"Aucune demande de nouveau code : {offer}." + limit
    if status.channel == ResetChannel.LETTER:
        if status.expected_by is not None and now.date() <= status.expected_by:
            return (
                f"Un courrier est en route depuis {french_time.moment(status.requested_at, now)} : il arrive "
                f"au plus tard le {french_time.day(status.expected_by)}. Inutile d'en demander un autre."
                + limit
            )
        return f"Le courrier aurait dû arriver : vérifiez l'adresse postale, puis {offer}." + limit
    if status.email_status in (EmailStatus.PENDING, EmailStatus.SENDING):
        return (
            f"L'e-mail demandé {french_time.moment(status.requested_at, now)} est en file d'envoi : "
            "il part dans quelques minutes." + limit
        )
    if status.email_status == EmailStatus.FAILED:
        return (
            "L'e-mail n'a pas pu être envoyé : vérifiez l'adresse avec l'adhérent ; un courrier reste "
            "possible." + limit
        )
    if status.link_used:
        return (
            "Le lien a déjà servi : l'adhérent a choisi son code personnalisé ; qu'il se connecte avec "
            "ce code et son numéro de Sécurité sociale." + limit
        )
    if status.link_expires_at is not None and status.link_expires_at <= now:
        return f"Le lien de réinitialisation a expiré (ou a été remplacé) : {offer}." + limit
    sent = french_time.ago(status.email_sent_at, now) if status.email_sent_at else "récemment"
    return (
        f"Un e-mail est parti {sent} : faites vérifier les courriers indésirables (spams) ; seul le lien "
        "de l'e-mail le plus récent fonctionne." + limit
    )


def _history(session: Session, member: Member) -> Sequence[ResetRequest]:
    return session.scalars(
        select(ResetRequest)
        .where(ResetRequest.member_id == member.id)
        .order_by(ResetRequest.created_at.desc(), ResetRequest.id.desc())
        .limit(HISTORY_SHOWN)
    ).all()


def _agent_logins(session: Session, requests: Sequence[ResetRequest]) -> dict[int, str]:
    ids = {r.agent_id for r in requests if r.agent_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(Agent.id, Agent.login).where(Agent.id.in_(ids))).tuples().all())


def file_of(session: Session, member: Member, *, full_email: bool, now: dt.datetime) -> MemberFile:
    requests = _history(session, member)
    in_window = sorted(r.created_at for r in requests if r.created_at > now - DAY)
    remaining = max(0, MAX_REQUESTS_PER_DAY - len(in_window))
    next_possible = in_window[len(in_window) - MAX_REQUESTS_PER_DAY] + DAY if remaining == 0 else None
    agents = _agent_logins(session, requests)
    email_shown = None
    if member.email:
        email_shown = member.email if full_email else mask_email(member.email)
    return MemberFile(
        nir_hash=member.nir_hash,
        name=f"{member.first_name} {member.last_name}".strip(),
        city=member.city,
        email_shown=email_shown,
        email_is_full=bool(member.email and full_email),
        requests=tuple(request_line(r, agents, now) for r in requests),
        remaining_today=remaining,
        next_request_possible_at=next_possible,
        suggestion=suggestion(
            reset_status(session, member), remaining, next_possible, bool(member.email), now
        ),
    )


def find_for_agent(session: Session, nir_text: str, key: str) -> Member | NirProblem:
    """The member with the NIR the agent typed, or the precise reason why not."""
    try:
        canonical = normalize_nir(nir_text)
    except InvalidNir as error:
        return NirProblem(NIR_PREFIX + error.message, error.code)
    member_ref = hash_nir(canonical, key)
    member = find_by_ref(session, member_ref)
    if member is None:
        return NirProblem(UNKNOWN_MEMBER, "unknown_member", member_ref)
    remember_windows(member, canonical, key)
    return member


def find_for_handoff(session: Session, handoff: Handoff) -> Member | NirProblem:
    """The member whose number the hand-off's conversation checked, or why there is none.

    The caller has checked that the agent may read the hand-off. ``no_verified_member``:
    nobody's number was found in the conversation; ``unknown_member``: the member left
    the file since (an erasure), with the keyed hash for the audit line.
    """
    if not handoff.member_ref:
        return NirProblem(NO_VERIFIED_MEMBER, "no_verified_member")
    member = find_by_ref(session, handoff.member_ref)
    if member is None:
        return NirProblem(MEMBER_GONE, "unknown_member", handoff.member_ref)
    return member
