"""The REST channel, hardened: bounded requests, typed payloads neutralised, a known client.

Same URL and JSON as Rasa's own REST channel (``POST /webhooks/rest/webhook`` with
``{"sender", "message"}``), so ``./sesame chat`` and the web tier talk to it as before.
What it adds, checked before Rasa reads anything:

- JSON only (415), at most ``MAX_BODY_BYTES`` (413) (``rasa_addons.json_requests``), a
  sender id of a fixed shape and a message that is text (400): French JSON errors.
- The message is cleaned (``bot.shared.user_input``): typed "/intent{…}" payloads are
  neutralised; the intents a "/intent" may name are the registry's buttons. A message
  that is empty once cleaned ("/", a lone zero-width space) becomes the fallback
  intent, so the member gets the topic menu instead of a silent error.
- The client: the web tier signs its requests with ``CHANNEL_TOKEN`` and names the
  member's client (``web:<keyed hash of the address>``) in ``metadata.client``. Any
  other caller's metadata is replaced by ``direct:<its address>``. The actions count
  their limits per client from this label only. The signed web tier may add
  ``metadata.rappel`` (true): a member waiting for an agent chose a call-back instead, and
  ``metadata.automatique`` (true): the widget's greeting on opening, which the member did not
  type (kept in the user event's metadata, so the workbench leaves it out of its figures).
- A turn that fails answers 503, one that could not reach the action server ends with
  a French fallback message (``rasa_addons.turn_guard``): never silence.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.shared.user_input import AUTOMATIC_FLAG, clean_message
from rasa_addons import turn_guard
from rasa_addons.intents import button_intents
from rasa_addons.json_requests import REFUSALS, error_response, json_object

logger = logging.getLogger(__name__)

BUTTON_INTENTS = button_intents()
SENDER_SHAPE = re.compile(r"[A-Za-z0-9_-]{1,64}")
# The web tier's label: keyed hashes of the address and (since #20) of its network.
WEB_CLIENT_SHAPE = re.compile(r"web:[0-9a-f]{16,64}(?:\.[0-9a-f]{16})?")
CHANNEL_TOKEN_HEADER = "x-sesame-channel"  # noqa: S105 - a header name, not a secret
# On every answer: "1" when the turn called the action server, else "0". Only actions open
# hand-offs, so the web tier (bot.web.rasa) looks for one after a "1" only (issue #24).
ACTIONS_HEADER = "X-Sesame-Actions"
EMPTY_MESSAGE_PAYLOAD = "/nlu_fallback"

ERRORS = {
    **REFUSALS,
    400: "Requête illisible : un objet JSON avec « sender » (lettres, chiffres, - et _, 64 au plus) "
    "et « message » (texte) est attendu.",
}


def check_request(content_type: str, body: bytes) -> int | None:
    """The HTTP status that refuses this webhook request, or None when it is acceptable."""
    data = json_object(content_type, body)
    if isinstance(data, int):
        return data
    sender, message = data.get("sender"), data.get("message")
    if not isinstance(sender, str) or not SENDER_SHAPE.fullmatch(sender):
        return 400
    if message is not None and not isinstance(message, str):
        return 400
    return None


def client_label(metadata: Any, signed: bool, remote_address: str) -> str:
    """``metadata.client`` when the web tier signed the request, else ``direct:<address>``."""
    if signed and isinstance(metadata, dict):
        client = metadata.get("client")
        if isinstance(client, str) and WEB_CLIENT_SHAPE.fullmatch(client):
            return client
    return f"direct:{remote_address}"


# Set by the web tier only, on the « /request_human » it sends when a member waiting for
# an agent chose to be called back instead (the action then offers the call-back at once).
CALLBACK_FLAG = "rappel"


def prefers_callback(metadata: Any, signed: bool) -> bool:
    """The member chose a call-back over the queue: believed only from the signed web tier."""
    return signed and isinstance(metadata, dict) and metadata.get(CALLBACK_FLAG) is True


def is_automatic(metadata: Any, signed: bool) -> bool:
    """The widget's own greeting, not the member's words: believed only from the signed web tier."""
    return signed and isinstance(metadata, dict) and metadata.get(AUTOMATIC_FLAG) is True


def is_signed(sent: str | None, token: str | None) -> bool:
    return bool(token) and sent is not None and hmac.compare_digest(sent.encode(), str(token).encode())


def guarded(
    on_new_message: Callable[[UserMessage], Awaitable[Any]],
) -> Callable[[UserMessage], Awaitable[None]]:
    """``on_new_message``, with a failed turn recorded instead of Rasa's log of the message.

    Rasa's channel logs the member's text with the exception (a NIR, maybe) and answers
    200; here the exception's kind only is logged and ``answer_for`` turns it into a 503.
    """

    async def handle(message: UserMessage) -> None:
        try:
            await on_new_message(message)
        except Exception as error:
            logger.error(
                "turn failed (%s): answered 503, the member's widget sends it again", type(error).__name__
            )
            turn = turn_guard.current_turn()
            if turn is not None:
                turn.failed = True

    return handle


def answer_for(turn: turn_guard.TurnProblems, body: bytes) -> HTTPResponse | None:
    """The answer to send instead of Rasa's, or None to keep it.

    The action server unreachable: the bot's messages, then the French fallback (also when
    the turn then failed: sending it again would fail the same way until the server is back).
    Another failed turn: 503 with a French error (nothing was stored, the message can be
    sent again, and the widget does).
    """
    if turn.failed and not turn.action_server_down:
        return response.json({"error": turn_guard.TURN_FAILED_TEXT}, status=503, ensure_ascii=False)
    if not turn.action_server_down:
        return None
    try:
        messages = json.loads(body)
    except ValueError:
        messages = []
    if not isinstance(messages, list):
        messages = []
    recipient = next((m.get("recipient_id") for m in messages if isinstance(m, dict)), None)
    fallback = {"text": turn_guard.with_contact(turn_guard.ACTION_SERVER_DOWN_TEXT)}
    if recipient is not None:
        fallback = {"recipient_id": recipient, **fallback}
    return response.json([*messages, fallback], ensure_ascii=False)


def final_answer(turn: turn_guard.TurnProblems, answer: HTTPResponse) -> HTTPResponse | None:
    """``answer_for``'s answer (None: Rasa's), saying in ``ACTIONS_HEADER`` whether actions ran."""
    replaced = answer_for(turn, answer.body or b"[]")
    (replaced or answer).headers[ACTIONS_HEADER] = "1" if turn.actions_called else "0"
    return replaced


class SafeRestInput(RestInput):
    """Rasa's REST input channel, with requests checked and the text cleaned first."""

    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook: Blueprint = super().blueprint(guarded(on_new_message))

        @webhook.on_request  # type: ignore[untyped-decorator]
        async def refuse_bad_requests(request: Request) -> HTTPResponse | None:
            if request.method != "POST":
                return None
            status = check_request(request.headers.get("content-type", ""), request.body or b"")
            if status is not None:
                return error_response(ERRORS, status)
            turn_guard.start_turn()
            return None

        @webhook.on_response  # type: ignore[untyped-decorator]
        async def say_what_failed(request: Request, answer: HTTPResponse) -> HTTPResponse | None:
            turn = turn_guard.current_turn()
            if request.method != "POST" or turn is None or answer.status != 200:
                return None
            return final_answer(turn, answer)

        return webhook

    def _extract_message(self, req: Any) -> str | None:
        raw = req.json.get("message", None) if req.json else None
        cleaned = clean_message(raw if isinstance(raw, str) else None, BUTTON_INTENTS)
        return cleaned or EMPTY_MESSAGE_PAYLOAD

    def get_metadata(self, request: Request) -> dict[str, Any] | None:
        body = request.json if isinstance(request.json, dict) else {}
        signed = is_signed(request.headers.get(CHANNEL_TOKEN_HEADER), os.environ.get("CHANNEL_TOKEN"))
        client = client_label(body.get("metadata"), signed, request.ip or "inconnu")
        metadata: dict[str, Any] = {"client": client}
        if prefers_callback(body.get("metadata"), signed):
            metadata[CALLBACK_FLAG] = True
        if is_automatic(body.get("metadata"), signed):
            metadata[AUTOMATIC_FLAG] = True
        return metadata
