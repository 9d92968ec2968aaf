"""``POST /chat/avis``: the member's « Oui » or « Non » to « Cette réponse vous a aidé ? ».

The widget asks after an answer to a real question (``bot.web.member_feedback``) and
sends back ``{"sender", "message", "avis"}``: the conversation id it holds, which
authenticates the member's chat as for ``POST /chat``, the member message whose
answer is rated, and « oui » or « non ». The same defences as ``POST /chat``: only
from the page's own origin (403), only JSON (415), a small body; each refusal is
``{"error": …}`` in French. A message that is not in that conversation is 404; a
conversation that rates more than ``PER_CONVERSATION_PER_HOUR`` answers an hour, 429.
No free text is taken; nothing of it is logged but the outcome.
"""

from __future__ import annotations

import json
import logging
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.db.engine import session_scope
from bot.web.deps import from_our_page
from bot.web.errors import CHAT_PATH, CHAT_TEXTS, JSON_CONTENT_TYPE
from bot.web.errors import chat_error as error_response
from bot.web.schemas.feedback import FeedbackDone, FeedbackRefused, FeedbackRequest
from bot.web.state import WebConfig, tracker_store, web_config
from bot.workbench.feedback import PER_CONVERSATION_PER_HOUR, Outcome, record

logger = logging.getLogger("bot.web.chat")

FEEDBACK_PATH = f"{CHAT_PATH}/avis"
BAD_CHOICE = "Votre avis n'a pas pu être lu : répondez « Oui » ou « Non »."
UNKNOWN_ANSWER = "Cette réponse est introuvable : la conversation a peut-être été effacée."
TOO_MANY = "Vous avez donné beaucoup d'avis en peu de temps : merci, c'est noté. Réessayez dans une heure."
THANKS = "Merci pour votre avis."


router = APIRouter(tags=["chat"])


def _parse(body: bytes) -> FeedbackRequest | Response:
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return error_response(400)
    if not isinstance(data, dict):
        return error_response(400)
    try:
        return FeedbackRequest.model_validate(data)
    except ValidationError as exc:
        only_the_choice = all(error["loc"] == ("avis",) for error in exc.errors())
        return error_response(422, BAD_CHOICE) if only_the_choice else error_response(400)


def _store(config: WebConfig, tracker: Engine, asked: FeedbackRequest) -> Outcome:
    with session_scope(config.engine) as session:
        return record(session, tracker, asked.sender, asked.message, asked.avis == "oui")


def _documented(description: str, text: str) -> dict[str, Any]:
    return {"model": FeedbackRefused, "description": f"{description} — « {text} »"}


@router.post(
    FEEDBACK_PATH,
    summary="Dire si une réponse de Sésame a aidé",
    description="La réponse de l'adhérent à « Cette réponse vous a aidé ? » : « oui » ou « non », pour un "
    "message de sa conversation que POST /chat a proposé (champ `avis.message`). Un « non » met le message "
    "dans la boîte de revue des formateurs. Une seule fois par réponse (la première compte).",
    response_model=FeedbackDone,
    responses={
        400: {"model": FeedbackRefused, "description": "JSON illisible, identifiant ou message mal formé."},
        403: _documented("L'en-tête Origin n'est pas celui de la page de Sésame", CHAT_TEXTS[403]),
        404: _documented("Ce message n'est pas dans cette conversation", UNKNOWN_ANSWER),
        415: _documented("Le corps n'est pas en application/json", CHAT_TEXTS[415]),
        422: _documented("« avis » n'est ni « oui » ni « non »", BAD_CHOICE),
        429: _documented(
            f"Plus de {PER_CONVERSATION_PER_HOUR} avis en une heure pour la conversation", TOO_MANY
        ),
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": FeedbackRequest.model_json_schema()}},
        }
    },
)
async def feedback(
    request: Request,
    config: Annotated[WebConfig, Depends(web_config)],
    tracker: Annotated[Engine, Depends(tracker_store)],
) -> Response:
    """Record the member's « oui » or « non »; French refusals as for ``POST /chat``."""
    if not from_our_page(request, config.public_hosts):
        return error_response(403)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        return error_response(415)
    parsed = _parse(await request.body())
    if isinstance(parsed, Response):
        return parsed
    try:
        outcome = await run_in_threadpool(_store, config, tracker, parsed)
    except SQLAlchemyError as exc:
        logger.error("feedback: database unreachable (%s)", type(exc).__name__)
        return error_response(503)
    logger.info("feedback: %s", outcome.value)
    if outcome is Outcome.UNKNOWN:
        return error_response(404, UNKNOWN_ANSWER)
    if outcome is Outcome.LIMITED:
        return error_response(429, TOO_MANY, {"Retry-After": "3600"})
    return JSONResponse({"merci": THANKS}, media_type=JSON_CONTENT_TYPE)
