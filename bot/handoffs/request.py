"""What the bot does when a member needs a person: queue a live chat, or offer a call-back.

The Rasa actions (``actions/contact.py``) are thin: they call these functions in a
unit of work and utter the replies. One path for both ways in: the member asks
(``request_human``, the « Parler à un conseiller » button), or the bot failed to
understand twice in a row.

- Agents available (``bot.handoffs.queue.availability``: at least one agent marked
  « disponible » with a live console session, within ``HANDOFF_HOURS``): a live
  hand-off is queued with the summary and the masked transcript, and the member is
  told they wait for an agent, with their place in the queue.
- Nobody available, or outside the hours: the member is told which, gets ACS's phone
  number and hours when the operator set them (never invented), and is offered a
  call-back (``callback_form``: the moment, then the number). The number is checked
  (``bot.rules.phone``), at most ``MAX_PHONE_ATTEMPTS`` tries, and the call-back is
  queued for the agents with it.
- A hand-off already open for the conversation is not duplicated: the member is told
  where it stands.
- A member who left the live-chat queue to be called back (the web tier sends
  « /request_human » with the signed channel's ``rappel`` flag: ``bot.web.member_leaving``)
  goes straight to the call-back form's moment question: no queue, no second « voulez-vous ? ».

``handoff_outcome`` (a slot the rules read) says which way it went: ``queued`` or
``callback_offered``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from bot.agents.presence import DEFAULT_PRESENCE
from bot.db.enums import HandoffKind, HandoffReason, HandoffState
from bot.db.models import Handoff
from bot.dialogue.intents import REGISTRY
from bot.dialogue.reset import Reply
from bot.handoffs import summary as summaries
from bot.handoffs.queue import availability, open_for_conversation, open_handoff, position
from bot.rules.callback_time import ANY_TIME, CallbackWindow, parse_callback_time, window_text
from bot.rules.phone import InvalidPhone, mask_phone, normalize_phone

# The slot the rules read after action_request_human, and its values.
OUTCOME_SLOT = "handoff_outcome"
QUEUED = "queued"
CALLBACK_OFFERED = "callback_offered"

FORM = "callback_form"
FORM_SLOTS = ("callback_wanted", "callback_slot", "callback_phone")
# Slots the call-back form fills, cleared when it ends (the number first of all).
SLOTS_TO_CLEAR = (*FORM_SLOTS, "phone_attempts", OUTCOME_SLOT, "handoff_reason")
MAX_PHONE_ATTEMPTS = 3
FALLBACK_INTENT = "nlu_fallback"

# The buttons of « Quand préférez-vous être rappelé(e) ? » and how the confirmation says
# them; the member may also write the moment (« vers 17h », « demain matin »), read by
# ``bot.rules.callback_time`` and confirmed as the window it means.
TIME_SLOTS: Mapping[str, str] = {
    "Le matin": "de préférence le matin",
    "L'après-midi": "de préférence l'après-midi",
    "Peu importe": "au moment qui convient au conseiller",
}
MAX_SAID_CHARS = 100  # Handoff.callback_slot: the moment in the member's words
TIME_REFUSED = (
    "Je n'ai pas compris le moment. Choisissez un bouton, ou écrivez-le en quelques mots : "
    "« vers 17h », « demain matin », « après 18 h 30 », « entre midi et deux »."
)
# A message with this many digits is an answer to "à quel numéro ?", whatever its intent.
_PHONE_DIGITS = 6


def read_time_slot(text: str, now: dt.datetime) -> CallbackWindow | None:
    """The window the member's words mean (``ANY_TIME`` for « peu importe »), or None."""
    return parse_callback_time(text, now)


_READ_AS_ANSWER = frozenset(REGISTRY.names) - frozenset(REGISTRY.not_read_as_nir)


def _is_digression(intent: str) -> bool:
    """A question the bot answers before asking again (a rule of data/rules/conseiller.yml).

    Messages the registry reads as a number (``read_as_nir``: not understood, a number,
    « autre chose ») are the answer: "0612345678" is often classified out of scope.
    """
    return intent in REGISTRY.digressions and intent not in _READ_AS_ANSWER


def answer_to_time_slot(text: str, intent: str, now: dt.datetime) -> str | None:
    """The member's message read as the moment, or None when it is another question."""
    if read_time_slot(text, now) is not None:
        return text
    return None if _is_digression(intent) else text


def answer_to_phone(text: str, intent: str) -> str | None:
    """The member's message read as the number, or None when it is another question."""
    if sum(ch.isdigit() for ch in text or "") >= _PHONE_DIGITS:
        return text
    return None if _is_digression(intent) else text


@dataclass(frozen=True)
class Checked:
    """A form answer checked: the slots to set and, when refused, what to say."""

    slots: dict[str, Any]
    message: str | None = None
    reply: Reply | None = None


def check_time_slot(typed: str, now: dt.datetime) -> Checked:
    """The moment kept in the member's own words (a button's, or theirs) once it reads as a time."""
    said = " ".join(typed.split())[:MAX_SAID_CHARS]
    if read_time_slot(said, now) is None:
        return Checked({"callback_slot": None}, message=TIME_REFUSED)
    return Checked({"callback_slot": said})


def check_phone(typed: str, attempts: float | None) -> Checked:
    """The number normalised, or a French refusal counted as a try (the last one ends the form)."""
    tries = int(attempts or 0)
    try:
        number = normalize_phone(typed)
    except InvalidPhone as refused:
        tries += 1
        slots: dict[str, Any] = {"callback_phone": None, "phone_attempts": float(tries)}
        if tries >= MAX_PHONE_ATTEMPTS:
            return Checked(
                slots, message=refused.message, reply=Reply("utter_callback_phone_attempts_exhausted")
            )
        return Checked(slots, message=refused.message)
    return Checked({"callback_phone": number, "phone_attempts": float(tries)})


def slots_to_ask(outcome: str | None, phone_attempts: float | None) -> list[str]:
    """The call-back form's questions still to ask: none unless a call-back was offered."""
    if outcome != CALLBACK_OFFERED:
        return []
    if (phone_attempts or 0) >= MAX_PHONE_ATTEMPTS:
        return ["callback_wanted", "callback_slot"]
    return list(FORM_SLOTS)


def _latest_metadata(events: Iterable[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The channel's metadata of the latest member message (empty when there is none)."""
    latest: Mapping[str, Any] = {}
    for event in events:
        if event.get("event") == "user":
            latest = event
    metadata = latest.get("metadata") or {}
    return metadata if isinstance(metadata, Mapping) else {}


def channel_of(events: Iterable[Mapping[str, Any]]) -> str:
    """ "web" when the latest member message came through the website's widget, else "direct"."""
    client = _latest_metadata(events).get("client")
    return "web" if isinstance(client, str) and client.startswith("web:") else "direct"


# The channel's flag (rasa_addons.channels.CALLBACK_FLAG): the member chose a call-back.
CALLBACK_FLAG = "rappel"


def chose_callback(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the latest member message came from the web tier saying « call me back instead »."""
    return _latest_metadata(events).get(CALLBACK_FLAG) is True


def failed_twice(events: Sequence[Mapping[str, Any]]) -> bool:
    """Whether the member's last two messages were both not understood (``nlu_fallback``)."""
    intents = [
        ((event.get("parse_data") or {}).get("intent") or {}).get("name")
        for event in events
        if event.get("event") == "user"
    ]
    return intents[-2:] == [FALLBACK_INTENT, FALLBACK_INTENT]


@dataclass(frozen=True)
class Conversation:
    """What the actions know of the conversation: its id, its events, the checked NIR."""

    conversation_id: str
    events: Sequence[Mapping[str, Any]]
    member_ref: str | None = None

    @property
    def channel(self) -> str:
        return channel_of(self.events)

    @property
    def prefers_callback(self) -> bool:
        return chose_callback(self.events)


@dataclass(frozen=True)
class Answer:
    """What to say, and the slots to set (``handoff_outcome`` among them)."""

    replies: list[Reply]
    slots: dict[str, Any] = field(default_factory=dict)
    handoff_id: int | None = None


def contact_replies(phone: str, hours: str) -> list[Reply]:
    """ACS's phone number (and hours, only with it), when the operator set them; else nothing."""
    phone, hours = phone.strip(), hours.strip()
    if phone and hours:
        return [Reply("utter_handoff_contact_phone_hours", {"phone": phone, "hours": hours})]
    if phone:
        return [Reply("utter_handoff_contact_phone", {"phone": phone})]
    return []


def waiting_reply(place: int) -> Reply:
    return Reply("utter_handoff_waiting", {"position": str(place)})


def already_queued_reply(phone: str) -> Reply:
    return Reply("utter_callback_already_queued", {"masked_phone": mask_phone(phone)})


def confirmed_reply(phone: str, said: str, window: CallbackWindow, now: dt.datetime) -> Reply:
    """« … au 06 •• •• •• 78, de préférence le matin » for a button; the window for the member's words."""
    if said in TIME_SLOTS:
        when = TIME_SLOTS[said]
    elif window.any_time:
        when = TIME_SLOTS["Peu importe"]
    else:
        when = f"de préférence {window_text(window.start, window.end, now)}"
    return Reply("utter_callback_confirmed", {"masked_phone": mask_phone(phone), "time_slot": when})


def _where_it_stands(session: Session, handoff: Any) -> Reply:
    if handoff.kind == HandoffKind.CALLBACK:
        return already_queued_reply(handoff.callback_phone or "")
    if handoff.state == HandoffState.ACTIVE:
        return Reply("utter_handoff_with_agent")
    return waiting_reply(position(session, handoff))


def ask_for_person(
    session: Session,
    conversation: Conversation,
    reason: HandoffReason,
    *,
    hours: str,
    contact_phone: str,
    contact_hours: str,
    now: dt.datetime,
    presence: dt.timedelta = DEFAULT_PRESENCE,
) -> Answer:
    """Queue a live chat if an agent can take it now; otherwise say why and offer a call-back.

    ``presence``: how recent an agent's console must have shown a sign of life
    (``AGENT_PRESENCE_SECONDS``). A member who chose a call-back over the queue is
    asked the moment at once (``callback_wanted`` already true).
    """
    replies = [Reply("utter_handoff_bot_failed")] if reason == HandoffReason.BOT_FAILED else []
    existing = open_for_conversation(session, conversation.conversation_id)
    if existing is not None:
        return Answer([*replies, _where_it_stands(session, existing)], {OUTCOME_SLOT: QUEUED}, existing.id)
    if conversation.prefers_callback:
        return Answer(
            contact_replies(contact_phone, contact_hours),
            {OUTCOME_SLOT: CALLBACK_OFFERED, "handoff_reason": reason.value, "callback_wanted": True},
        )
    now_available = availability(session, hours, now, presence)
    if now_available.live:
        handoff = _open(session, conversation, HandoffKind.LIVE, reason, now)
        waiting = waiting_reply(position(session, handoff))
        return Answer([*replies, waiting], {OUTCOME_SLOT: QUEUED}, handoff.id)
    why = Reply("utter_handoff_closed" if not now_available.open_now else "utter_handoff_nobody")
    return Answer(
        [*replies, why, *contact_replies(contact_phone, contact_hours)],
        {OUTCOME_SLOT: CALLBACK_OFFERED, "handoff_reason": reason.value},
    )


def _open(
    session: Session,
    conversation: Conversation,
    kind: HandoffKind,
    reason: HandoffReason,
    now: dt.datetime,
    *,
    phone: str | None = None,
    slot: str | None = None,
    window: CallbackWindow = ANY_TIME,
) -> Handoff:
    """Queue a hand-off of this conversation, with its summary and masked transcript."""
    return open_handoff(
        session,
        conversation_id=conversation.conversation_id,
        channel=conversation.channel,
        kind=kind,
        reason=reason,
        summary=summaries.summary(conversation.events, reason),
        transcript=summaries.transcript(conversation.events),
        member_ref=conversation.member_ref or None,
        callback_phone=phone,
        callback_slot=slot,
        callback_window=(window.start, window.end),
        now=now,
    )


def leave_callback(
    session: Session,
    conversation: Conversation,
    *,
    reason: str | None,
    time_slot: str | None,
    phone: str | None,
    phone_attempts: float | None,
    now: dt.datetime,
) -> Answer:
    """Queue the call-back once the form is filled; or say why there is none."""
    if not phone:
        if (phone_attempts or 0) >= MAX_PHONE_ATTEMPTS:
            return Answer([])  # the form said so with the last refusal
        return Answer([Reply("utter_callback_declined")])
    why = HandoffReason(reason) if reason in {r.value for r in HandoffReason} else HandoffReason.ASKED
    said = " ".join((time_slot or "").split())[:MAX_SAID_CHARS]
    window = read_time_slot(said, now)
    if window is None:  # not said, or not a time: the agent calls when they can
        said, window = "Peu importe", ANY_TIME
    handoff = _open(
        session, conversation, HandoffKind.CALLBACK, why, now, phone=phone, slot=said, window=window
    )
    if handoff.kind != HandoffKind.CALLBACK:  # a live chat was queued in the meantime
        return Answer([_where_it_stands(session, handoff)], handoff_id=handoff.id)
    return Answer(
        [confirmed_reply(handoff.callback_phone or phone, said, window, now)], handoff_id=handoff.id
    )
