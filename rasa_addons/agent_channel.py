"""The agents' channel: the console's assistant asks the NLU what a question means, nothing more.

``POST /webhooks/agent/parse`` with ``{"text": "…"}`` answers the intent ranking
(top ``TOP_INTENTS``) of Rasa's own model, the one the member bot uses, so the
agent and the member get the same reading of a question.

What it can never do, by construction: run an action, touch a tracker or a
conversation. It never calls Rasa's ``on_new_message``; it only reads
``agent.parse_message``. Everything an agent may *do* (member status, reset on
behalf) lives in the web tier behind the agent's session (``bot.web.routes.console_*``),
not in Rasa, so no message in the member chat can reach it.

Who may ask: only the web tier, which signs each request with ``CHANNEL_TOKEN``
and names the signed-in agent (``X-Sesame-Agent``, set from the session, never
from the browser). Anything else gets 403 before the model is asked.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.shared.user_input import clean_message
from rasa_addons.channels import BUTTON_INTENTS, CHANNEL_TOKEN_HEADER, is_signed

AGENT_HEADER = "x-sesame-agent"
AGENT_LOGIN = re.compile(r"[a-z0-9][a-z0-9._-]{1,63}")
MAX_TEXT_CHARS = 2000
MAX_BODY_BYTES = 16 * 1024
TOP_INTENTS = 3
FALLBACK_INTENT = "nlu_fallback"

ERRORS = {
    400: "Requête illisible : un objet JSON avec « text » (texte de 2 000 caractères au plus) est attendu.",
    403: "Réservé à la console des conseillers.",
    413: f"Requête trop volumineuse : {MAX_BODY_BYTES // 1024} Ko au plus.",
    415: "Seul le JSON (Content-Type: application/json) est accepté.",
    503: "Le modèle de Sésame n'est pas encore chargé.",
}


def _error(status: int) -> HTTPResponse:
    return response.json({"error": ERRORS[status]}, status=status, ensure_ascii=False)


def allowed(headers: Any, token: str | None) -> bool:
    """Signed by the web tier and naming an agent of the right shape."""
    agent = headers.get(AGENT_HEADER)
    return is_signed(headers.get(CHANNEL_TOKEN_HEADER), token) and bool(
        agent and AGENT_LOGIN.fullmatch(agent)
    )


def question_of(content_type: str, body: bytes) -> str | int:
    """The question to read, or the HTTP status that refuses the request."""
    if content_type.split(";")[0].strip().lower() != "application/json":
        return 415
    if len(body) > MAX_BODY_BYTES:
        return 413
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return 400
    text = data.get("text") if isinstance(data, dict) else None
    if not isinstance(text, str) or not text.strip() or len(text) > MAX_TEXT_CHARS:
        return 400
    return clean_message(text, BUTTON_INTENTS) or text.strip()


def ranking(parsed: dict[str, Any]) -> list[dict[str, Any]]:
    """The top intents with their confidence, best first (names and numbers only)."""
    ranked = parsed.get("intent_ranking") or ([parsed["intent"]] if parsed.get("intent") else [])
    # The fallback classifier puts "nlu_fallback" first when unsure: the agent wants the
    # real candidates, with their low confidence, and judges for themself.
    real = [item for item in ranked if item.get("name") != FALLBACK_INTENT]
    return [
        {"name": str(item.get("name")), "confidence": round(float(item.get("confidence") or 0.0), 4)}
        for item in real[:TOP_INTENTS]
    ]


class AgentAssistInput(InputChannel):
    """NLU only, for the agents' console; see the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "agent"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("agent_assist_webhook", __name__)

        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/parse", methods=["POST"])  # type: ignore[untyped-decorator]
        async def parse(request: Request) -> HTTPResponse:
            if not allowed(request.headers, os.environ.get("CHANNEL_TOKEN")):
                return _error(403)
            question = question_of(request.headers.get("content-type", ""), request.body or b"")
            if isinstance(question, int):
                return _error(question)
            agent = getattr(request.app.ctx, "agent", None)
            if agent is None or not agent.is_ready():
                return _error(503)
            parsed = await agent.parse_message(question)
            return response.json({"intents": ranking(parsed)}, ensure_ascii=False)

        return webhook
