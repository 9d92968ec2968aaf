"""The REST channel, with typed payloads and oversized messages made harmless.

Same URL and JSON as Rasa's own REST channel (``POST /webhooks/rest/webhook`` with
``{"sender", "message"}``); only the message text is cleaned (``bot.shared.user_input``).
The intents a typed "/intent" may name are the registry's buttons, read once at start-up.
"""

from __future__ import annotations

from typing import Any

from rasa.core.channels.rest import RestInput

from bot.shared.user_input import clean_message
from rasa_addons.intents import button_intents

BUTTON_INTENTS = button_intents()


class SafeRestInput(RestInput):
    """Rasa's REST input channel with the member's text cleaned first."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def _extract_message(self, req: Any) -> str | None:
        raw = req.json.get("message", None) if req.json else None
        return clean_message(raw if isinstance(raw, str) else None, BUTTON_INTENTS)
