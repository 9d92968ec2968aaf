"""Strip secrets from conversation events before they are stored.

Rasa keeps every user message in its tracker store. Members type their NIR and,
against all advice, their access code; neither may be stored in clear. This module
works on the plain-dict form of events (``Event.as_dict()``) so that it has no
dependency on Rasa and can be tested alone.

Patterns alone cannot mask a number split over two messages ("1 84 12 75", then
"108 234 56"): each half looks harmless. So while the bot is asking for the NIR,
the member's next message is masked whole, whatever it holds; a code typed there
by mistake, or half a number, is masked with it. ``SecretContext`` follows the
conversation to know when that is.

A phone number left for a call-back is personal data too: while the bot asks for it
(the call-back form, ``callback_phone``), the member's message is masked whole the
same way, and the slot holding it is masked in storage (the agent reads the number
in the hand-off itself, ``handoffs.callback_phone``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from bot.shared.patterns import NIR_MASK, redact

# Entities and slots whose value is a secret as a whole, and the mask that replaces it.
PHONE_MASK = "[téléphone masqué]"
PHONE_SLOT = "callback_phone"
SECRET_MASKS = {"nir": NIR_MASK, "access_code": NIR_MASK, PHONE_SLOT: PHONE_MASK}
SECRET_NAMES = frozenset(SECRET_MASKS)

# How the bot asks for the NIR (domain/forms.yml, domain/responses/nouveau_code.yml).
NIR_QUESTION = "utter_ask_nir"
NIR_FORM = "reset_form"
NIR_SLOT = "nir"
REQUESTED_SLOT = "requested_slot"
# How the bot asks for a call-back number (domain/forms.yml, domain/responses/conseiller.yml).
PHONE_QUESTION = "utter_ask_callback_phone"
PHONE_FORM = "callback_form"
_CONVERSATION_RESET = frozenset({"restart", "session_started"})


def _redact_parse_data(parse_data: dict[str, Any]) -> None:
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = redact(parse_data["text"])
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") in SECRET_NAMES:
            entity["value"] = SECRET_MASKS[entity["entity"]]
        elif isinstance(entity.get("value"), str):
            entity["value"] = redact(entity["value"])


def redact_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``event`` with NIRs and access codes masked; other fields kept."""
    data: dict[str, Any] = copy.deepcopy(dict(event))
    kind = data.get("event")
    if kind in ("user", "bot") and isinstance(data.get("text"), str):
        data["text"] = redact(data["text"])
    if kind == "user" and isinstance(data.get("parse_data"), dict):
        _redact_parse_data(data["parse_data"])
    if kind == "slot" and data.get("name") in SECRET_NAMES and data.get("value"):
        data["value"] = SECRET_MASKS[data["name"]]
    return data


@dataclass
class SecretContext:
    """What the conversation looks like before the next event: is a NIR (or a phone) asked for?

    Fed the events of a conversation in order (``update``). A NIR is being asked for
    when the bot's latest utterance is the NIR question, or when the reset form is
    active with the NIR as its requested slot; a phone number likewise, with the
    call-back question and form.
    """

    active_loop: str | None = None
    requested_slot: str | None = None
    last_bot_utterance: str | None = None

    @property
    def awaiting_nir(self) -> bool:
        return self.last_bot_utterance == NIR_QUESTION or (
            self.active_loop == NIR_FORM and self.requested_slot == NIR_SLOT
        )

    @property
    def awaiting_phone(self) -> bool:
        return self.last_bot_utterance == PHONE_QUESTION or (
            self.active_loop == PHONE_FORM and self.requested_slot == PHONE_SLOT
        )

    @property
    def mask(self) -> str | None:
        """The mask for the whole of the member's next message, or None to keep it."""
        if self.awaiting_nir:
            return NIR_MASK
        if self.awaiting_phone:
            return PHONE_MASK
        return None

    def update(self, event: Mapping[str, Any]) -> None:
        kind = event.get("event")
        if kind in _CONVERSATION_RESET:
            self.active_loop = self.requested_slot = self.last_bot_utterance = None
        elif kind == "active_loop":
            self.active_loop = event.get("name") or None
        elif kind == "slot" and event.get("name") == REQUESTED_SLOT:
            value = event.get("value")
            self.requested_slot = value if isinstance(value, str) else None
        elif kind == "reset_slots":
            self.requested_slot = None
        elif kind == "bot":
            metadata = event.get("metadata") or {}
            name = metadata.get("utter_action") if isinstance(metadata, Mapping) else None
            self.last_bot_utterance = name if isinstance(name, str) else None


def mask_whole_message(event: Mapping[str, Any], mask: str = NIR_MASK) -> dict[str, Any]:
    """A copy of a user event whose text (and every entity value) is ``mask``."""
    data = redact_event(event)
    if data.get("event") != "user":
        return data
    data["text"] = mask
    parse_data = data.get("parse_data")
    if isinstance(parse_data, dict):
        parse_data["text"] = mask
        for entity in parse_data.get("entities") or []:
            if isinstance(entity, dict) and "value" in entity:
                entity["value"] = mask
    return data


def redact_events(
    events: Iterable[Mapping[str, Any]], context: SecretContext | None = None
) -> Iterator[dict[str, Any]]:
    """Redacted copies of ``events``, in order; ``context`` is the state before the first.

    A user message that comes while a NIR or a phone number is being asked for is
    masked whole. ``context`` is updated as the events go by.
    """
    context = context if context is not None else SecretContext()
    for event in events:
        mask = context.mask if event.get("event") == "user" else None
        if mask is not None:
            yield mask_whole_message(event, mask)
        else:
            yield redact_event(event)
        context.update(event)
