"""Load a newly trained model into the running Rasa server, with no downtime.

``POST /webhooks/modele/charger`` with ``{"modele": "models/history/<name>.tar.gz"}``
builds a new Rasa agent around the same conversation store, lock store and action
server, loads the model into it off the event loop, and only then swaps it in
(``app.ctx.agent``), as Rasa's own ``PUT /model`` does: conversations go on with the
old model until the new one is ready, and with the new one from the next message.
``GET /webhooks/modele/`` says which model answers.

Who may ask: only the web tier, signed with ``CHANNEL_TOKEN`` and naming the
``superviseur`` it acts for (the web tier checks the role from the session; the
workbench and ``./sesame model`` audit every change). Only a ``.tar.gz`` inside
``models/history/`` of the project can be loaded: no path from the request reaches
anything else on disk.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from rasa.core.agent import Agent
from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_addons.agent_channel import allowed
from rasa_addons.json_requests import error_response

logger = logging.getLogger(__name__)

HISTORY_DIR = Path("models") / "history"
ERRORS = {
    400: "Requête illisible : un objet JSON avec « modele » (un fichier de models/history/) est attendu.",
    403: "Réservé à l'atelier des formateurs.",
    404: "Ce modèle n'existe pas dans models/history/.",
    500: "Le modèle n'a pas pu être chargé : l'ancien modèle continue de répondre.",
}


def model_path(requested: Any, root: Path, models: Path | None = None) -> Path | None:
    """The model file ``requested`` names, if it is a ``.tar.gz`` directly inside the history.

    ``models/`` is ``root``'s, or ``models`` (``SESAME_MODELS_DIR``, where the web tier
    that asks keeps its history: a test's throw-away folder).
    """
    if not isinstance(requested, str) or not requested.endswith(".tar.gz") or "\x00" in requested:
        return None
    parts = Path(requested).parts
    if len(parts) < 2 or parts[0] != HISTORY_DIR.parts[0]:
        return None
    base = models if models is not None else root / HISTORY_DIR.parts[0]
    candidate = base.joinpath(*parts[1:]).resolve()
    if candidate.parent != (base / HISTORY_DIR.name).resolve():
        return None
    return candidate


def fresh_agent(old: Agent) -> Agent:
    """A new agent sharing the old one's stores and action server, without a model yet."""
    return Agent(
        tracker_store=old.tracker_store,
        lock_store=old.lock_store,
        action_endpoint=old.action_endpoint,
        http_interpreter=old.http_interpreter,
    )


class ModelLoadInput(InputChannel):
    """See the module docstring."""

    @classmethod
    def name(cls) -> str:
        return "modele"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("model_load_webhook", __name__)
        swap_lock = asyncio.Lock()

        @webhook.route("/", methods=["GET"])  # type: ignore[untyped-decorator]
        async def current(request: Request) -> HTTPResponse:
            if not allowed(request.headers, os.environ.get("CHANNEL_TOKEN")):
                return error_response(ERRORS, 403)
            agent = getattr(request.app.ctx, "agent", None)
            return response.json({"modele": agent.model_name if agent else None}, ensure_ascii=False)

        @webhook.route("/charger", methods=["POST"])  # type: ignore[untyped-decorator]
        async def load(request: Request) -> HTTPResponse:
            if not allowed(request.headers, os.environ.get("CHANNEL_TOKEN")):
                return error_response(ERRORS, 403)
            try:
                body = json.loads((request.body or b"").decode("utf-8"))
            except (UnicodeDecodeError, ValueError, RecursionError):
                return error_response(ERRORS, 400)
            models = Path(os.environ["SESAME_MODELS_DIR"]) if os.environ.get("SESAME_MODELS_DIR") else None
            path = model_path(body.get("modele") if isinstance(body, dict) else None, Path.cwd(), models)
            if path is None:
                return error_response(ERRORS, 400)
            if not path.is_file():
                return error_response(ERRORS, 404)
            async with swap_lock:  # one load at a time
                old: Agent = request.app.ctx.agent
                new = fresh_agent(old)
                try:
                    await asyncio.get_running_loop().run_in_executor(None, new.load_model, path)
                except Exception as exc:
                    logger.error("Chargement du modèle %s impossible : %s", path.name, type(exc).__name__)
                    return error_response(ERRORS, 500)
                if not new.is_ready():
                    return error_response(ERRORS, 500)
                request.app.ctx.agent = new
            logger.info("Modèle chargé sans interruption : %s", path.name)
            return response.json({"modele": path.name}, ensure_ascii=False)

        return webhook
