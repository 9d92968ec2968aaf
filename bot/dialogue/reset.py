"""What the bot says and checks while it asks for a new access code.

The Rasa actions in ``actions/reset.py`` are thin: they call these functions and
utter the replies they return. A reply names a response of the domain (so
trainers can reword it) and the values to fill in.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.db.enums import EmailStatus, ResetChannel
from bot.db.models import Member
from bot.limits.lookups import LookupRefused
from bot.members.lookup import hash_nir
from bot.resets.requests import ResetOutcome, ResetStatus
from bot.resets.wording import member_words
from bot.rules import french_time
from bot.rules.masking import mask_email
from bot.rules.nir import InvalidNir, mask_nir, normalize_nir
from bot.rules.nir_windows import remember_windows
from bot.shared.patterns import first_nir, without_nirs

MAX_NIR_ATTEMPTS = 3


@dataclass(frozen=True)
class Reply:
    """A response of the domain and the values for its {placeholders}."""

    response: str
    values: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class NirRefused:
    """The number is malformed or unknown: say ``message`` or ``reply``, count an attempt."""

    message: str | None = None
    reply: Reply | None = None


@dataclass(frozen=True)
class MemberFound:
    """The member exists: remember the keyed hash, show the masked number and destination."""

    member_ref: str
    masked_nir: str
    masked_email: str | None


def attempts_exhausted(attempts: float | None) -> bool:
    return (attempts or 0) >= MAX_NIR_ATTEMPTS


@dataclass(frozen=True)
class LookupPaused:
    """The look-up limits refused to check the number: say when to retry; not the member's fault."""

    reply: Reply


def check_nir(
    typed: str,
    key: str,
    find_by_ref: Callable[[str], Member | LookupRefused | None],
    now: dt.datetime,
) -> NirRefused | MemberFound | LookupPaused:
    """Verify the typed NIR, then look the member up by its keyed hash with ``find_by_ref``.

    The look-up is passed in (``bot.members.lookup.find_by_ref`` bound to a session,
    behind the look-up limits of ``bot.limits.lookups``), so this module decides what
    to say and never queries the database itself. A malformed number is refused
    before any look-up: it costs the client nothing.
    """
    try:
        nir = normalize_nir(typed)
    except InvalidNir as error:
        return NirRefused(message=error.message)
    member_ref = hash_nir(nir, key)
    member = find_by_ref(member_ref)
    if isinstance(member, LookupRefused):
        response = "utter_lookup_paused" if member.everyone else "utter_lookup_limited"
        return LookupPaused(Reply(response, {"retry_after": french_time.retry_when(member.retry_at, now)}))
    if member is None:
        return NirRefused(reply=Reply("utter_nir_unknown"))
    remember_windows(member, nir, key)
    return MemberFound(
        member_ref=member_ref,
        masked_nir=mask_nir(nir),
        masked_email=mask_email(member.email) if member.email else None,
    )


def confirmation_question(masked_email: str | None) -> Reply:
    if masked_email:
        return Reply("utter_ask_reset_confirmed_email", {"masked_email": masked_email})
    return Reply("utter_ask_reset_confirmed_letter")


def reply_for_outcome(outcome: ResetOutcome, ttl_minutes: int, now: dt.datetime) -> Reply:
    """What to tell the member once the request is recorded (or refused): ``bot.resets.wording``."""
    return Reply(*member_words(outcome, ttl_minutes, now))


def reply_for_status(status: ResetStatus | None, intent: str, now: dt.datetime) -> Reply:
    """Answer "je n'ai rien reçu" from what the database knows, or from the help document."""
    if status is None:
        return Reply("utter_postal_letter" if intent == "postal_letter" else "utter_email_not_received")
    requested = french_time.moment(status.requested_at, now)
    if status.channel == ResetChannel.LETTER:
        expected = french_time.day(status.expected_by) if status.expected_by else ""
        return Reply("utter_status_letter", {"requested_at": requested, "expected_by": expected})
    email = status.masked_email or ""
    if status.link_used:
        return Reply("utter_status_link_used", {"masked_email": email})
    if status.email_status == EmailStatus.FAILED:
        return Reply("utter_status_email_failed", {"masked_email": email})
    if status.email_status == EmailStatus.SENT and status.email_sent_at is not None:
        expires = french_time.until(status.link_expires_at, now) if status.link_expires_at else ""
        return Reply(
            "utter_status_email_sent",
            {
                "masked_email": email,
                "sent_at": french_time.moment(status.email_sent_at, now),
                "expires_at": expires,
            },
        )
    return Reply("utter_status_email_pending", {"masked_email": email, "requested_at": requested})


# --- What the form asks next, and numbers members give before being asked ------------

# After these actions of the bot, the conversation is about a new access code: a
# number typed alone right then is meant for that request.
RESET_TOPIC_ACTIONS = frozenset(
    {"utter_forgot_access_code", "utter_no_email_address", "action_submit_reset", "action_reset_status"}
)
# A message of these intents holding a NIR asks for a new code with that number.
WISH_INTENTS = frozenset({"forgot_access_code", "no_email_address"})


def slots_to_ask(
    domain_slots: list[str],
    *,
    reset_wanted: bool | None,
    attempts: float | None,
    member_ref: str | None,
    destination: str | None,
    lookup_paused: bool,
) -> list[str]:
    """The reset form's questions, in order, given what the conversation already settled.

    An empty list ends the form: the member said no, three numbers were refused, or
    the look-up limits paused the search (the member was told when to retry). A
    number already verified for this request (``destination`` is only set by a
    successful look-up, and cleared whenever the request ends) is not asked again:
    that is how a number the member gave before the question is used.
    """
    if reset_wanted is False:
        return []
    if attempts_exhausted(attempts) and not member_ref:
        return []
    if lookup_paused:
        return []
    if member_ref and destination is not None:
        return [slot for slot in domain_slots if slot != "nir"]
    return domain_slots


def offer_question(member_ref: str | None, destination: str | None) -> Reply:
    """ "Je lance la demande ?", or, for a number the member gave unasked, whether to use it.

    The second question names neither the number nor the member: whether the number
    belongs to a member is only said once the member asked for the request.
    """
    if member_ref and destination is not None:
        return Reply("utter_ask_reset_with_given_nir")
    return Reply("utter_ask_reset_wanted")


# Words that, beside a NIR, ask for a code whatever the classifier made of the message:
# the no-email circumstance ("pas d'adresse mail", "je n'ai pas d'e-mail", "sans
# courriel": with a number, the member can only want the code, sent by letter or by
# email as the database decides), and the wish itself ("un nouveau code", "j'ai
# oublié mon code"). The number weighs so much in the classifier that such a message
# is often read as a bare provide_nir. Matched without accents, in lower case, the
# number taken out.
_MAIL = r"(?:e[ -]?mail|mail|courriel|adresse (?:electronique|e[ -]?mail|mail))"
_CODE_WISH_WORDS = re.compile(
    r"\b(?:pas|plus|sans|aucune?|jamais eu)\b(?:\s+(?:d'|de |d |une? |la |l'|mon |ma |adresse ))*\s*"
    + _MAIL
    + r"|\bnouveaux?\s+codes?\b|\bautre\s+code\b"
    + r"|\b(?:oubli\w*|perdu|paume|egare)\s+(?:mon |le |ce )?(?:code|mot de passe|mdp)\b"
)


def _plain(text: str) -> str:
    """Lower case, accents dropped, typographic apostrophes made straight."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def words_ask_for_a_code(text: str) -> bool:
    """Whether the words around a NIR ask for a new code (no email address, "nouveau code").

    The NIR itself is taken out first: only what the member said about it counts.
    """
    words = without_nirs(text or "")
    return bool(_CODE_WISH_WORDS.search(_plain(words)))


def wants_reset_now(intent: str, previous_action: str | None, text: str = "") -> bool:
    """Whether a NIR in this message goes straight into the request, or is offered first.

    It goes straight on when the message also asks for a code ("voici mon numéro …,
    je voudrais un nouveau code", "… je n'ai pas d'adresse mail": the intent, or its
    words when the number made the classifier read a bare number) or comes right
    after the bot spoke about a new code; a number given with nothing else only
    earns the question.
    """
    return intent in WISH_INTENTS or previous_action in RESET_TOPIC_ACTIONS or words_ask_for_a_code(text)


def reset_wanted_for_known_number(
    reset_wanted: bool | None, member_ref: str | None, destination: str | None, intent: str
) -> dict[str, Any]:
    """Take a wish for a code as the answer to the offer when the number is already checked.

    A number typed earlier (during the login diagnostic, or alone) was verified in
    that turn and left ``member_ref`` and ``reset_destination``. When the member then
    asks for a new code ("Recevoir un nouveau code", "j'ai oublié mon code"), asking
    "Je lance la demande ?" would ask twice: the request goes on to the confirmation,
    which names the masked email or the letter. Otherwise nothing is set.
    """
    if reset_wanted is None and member_ref and destination is not None and intent in WISH_INTENTS:
        return {"reset_wanted": True}
    return {}


def nir_in_message(text: str, entities: list[dict[str, Any]]) -> str:
    """What the member typed as their NIR: the ``nir`` entity, else the NIR-like part, else all."""
    for entity in entities:
        if entity.get("entity") == "nir" and isinstance(entity.get("value"), str):
            return str(entity["value"])
    return first_nir(text or "") or text or ""


@dataclass(frozen=True)
class CheckedNir:
    """The slots a checked number sets, and what to tell the member (at most one of the two)."""

    slots: dict[str, Any]
    message: str | None = None
    reply: Reply | None = None


def checked_nir(result: NirRefused | MemberFound | LookupPaused, attempts: int) -> CheckedNir:
    """Slots and words for the outcome of ``check_nir``, the same whoever asked for the check.

    The NIR itself is never among the slots: a found member leaves its keyed hash
    (``member_ref``) and the masked number; a refused number counts an attempt and
    says why, unless it was the last one (the form then says so itself).
    """
    if isinstance(result, LookupPaused):
        return CheckedNir({"nir": None, "member_ref": None, "lookup_paused": True}, reply=result.reply)
    if isinstance(result, MemberFound):
        return CheckedNir(
            {
                "nir": result.masked_nir,
                "member_ref": result.member_ref,
                "reset_destination": result.masked_email or "",
            }
        )
    attempts += 1
    slots: dict[str, Any] = {"nir": None, "member_ref": None, "nir_attempts": float(attempts)}
    if attempts_exhausted(attempts):
        return CheckedNir(slots)
    return CheckedNir(slots, message=result.message, reply=None if result.message else result.reply)


def volunteered_slots(checked: CheckedNir, wish: bool) -> dict[str, Any]:
    """Slots for a number the member gave before the form asked for it.

    The ``nir`` slot stays empty (the form would check it again, and the tracker
    store only keeps it masked): the verified member is known by ``member_ref`` and
    ``reset_destination``, which ``slots_to_ask`` reads. A found member who did not
    ask for anything is asked first (``reset_wanted`` stays empty); otherwise the
    request is under way, and a refused number is asked again.
    """
    slots = {name: value for name, value in checked.slots.items() if name != "nir"}
    found = bool(slots.get("member_ref"))
    slots["reset_wanted"] = True if wish or not found else None
    return slots


# Slots a number typed during the login diagnostic must not set: the NIR itself, and the
# pause of the look-ups (it would end a later reset form without a word).
_NOT_KEPT_IN_DIAGNOSTIC = frozenset({"nir", "lookup_paused"})


@dataclass(frozen=True)
class KeptNir:
    """Slots and words for a number typed during the login diagnostic."""

    slots: dict[str, Any]
    said: tuple[Reply | str, ...]


def kept_for_later(checked: CheckedNir | None) -> KeptNir:
    """A NIR typed while the diagnostic asks what happens: checked now, kept for a request.

    The diagnostic goes on (the number answers none of its questions). A number that
    finds a member leaves only its keyed hash (``member_ref``) and the masked
    destination, so that "Recevoir un nouveau code" goes straight to the confirmation
    (``reset_wanted_for_known_number``) without asking for it again; the member is
    told so. A refused number is counted and its reason said, as anywhere else, and
    the member is told the number will be asked again. ``checked`` is None when the
    database failed: nothing is kept.
    """
    if checked is None:
        return KeptNir({}, (Reply("utter_provide_nir_out_of_context"),))
    slots = {name: value for name, value in checked.slots.items() if name not in _NOT_KEPT_IN_DIAGNOSTIC}
    if checked.slots.get("lookup_paused"):
        return KeptNir(slots, (checked.reply,) if checked.reply else ())
    if slots.get("member_ref"):
        return KeptNir(slots, (Reply("utter_provide_nir_kept"),))
    reason: tuple[Reply | str, ...] = tuple(said for said in (checked.message, checked.reply) if said)
    return KeptNir(slots, (*reason, Reply("utter_provide_nir_out_of_context")))
