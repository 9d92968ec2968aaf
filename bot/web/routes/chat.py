"""``POST /chat``: the website widget's one endpoint, forwarded to Rasa's REST channel.

Why REST through our own server rather than socket.io straight to Rasa:

- The bot only ever *answers* the member: every bot message follows a member
  message, so server push buys nothing. One plain request per message: no
  socket.io handshake, no long polling, nothing that a corporate proxy or a phone
  switching networks can break half-way, and a retry is simply the same request.
- The Rasa server stays on the loopback interface and is never exposed to
  browsers. It sends no CORS header, so no other site's page can read its answers.
- The page and this endpoint share an origin, so the one cross-origin defence
  lives here: a ``POST /chat`` must carry an ``Origin`` equal to the page's own
  origin (scheme and the ``Host`` it asked for), and that host must be one we
  serve (loopback names or ``RESET_URL_BASE``'s host, so a DNS-rebinding page
  cannot pass either). Anything else gets 403 before Rasa is asked anything.

The body is read and checked here rather than by FastAPI's own body parameter:
the checks come in a fixed order (origin, then media type, then content) and
every refusal is a French sentence the widget shows, never a 422 in English.
The pydantic models still describe the endpoint in the OpenAPI schema.

Members type their social-security number here: the message text and the
sender id are never logged, only sizes, statuses and exception class names.
"""

from __future__ import annotations

import json
import logging
import time
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.handoffs.waiting import WaitPolicy
from bot.web.body_limits import MESSAGE_BODY_BYTES
from bot.web.deps import from_our_page
from bot.web.errors import CHAT_PATH, CHAT_TEXTS, EMPTY_MESSAGE_TEXT, JSON_CONTENT_TYPE, MAX_MESSAGE_CHARS
from bot.web.errors import chat_error as error_response
from bot.web.member_feedback import offer as feedback_offer
from bot.web.member_handoff import NumberCheck, member_turn, number_check, opened_by_the_bot, wait_policy
from bot.web.member_leaving import CALLBACK_REQUEST, CALLBACK_RETRY, Left, leaving_turn
from bot.web.rasa import RasaClient, RasaFailed, RasaTurn, RasaUnavailable
from bot.web.state import WebConfig, rasa_client, tracker_store, web_config

logger = logging.getLogger("bot.web.chat")

# What ``crypto.getRandomValues`` gives the widget, base64url-encoded; generous bounds.
SENDER_PATTERN = r"^[A-Za-z0-9_-]{16,64}$"


class ChatRequest(BaseModel):
    """One message typed (or one button chosen) by the member."""

    model_config = ConfigDict(strict=True, extra="ignore")

    sender: str = Field(
        pattern=SENDER_PATTERN,
        description="Identifiant aléatoire de la conversation, tiré par le widget (16 à 64 caractères).",
    )
    message: str = Field(
        max_length=MAX_MESSAGE_CHARS,
        description="Le texte de l'adhérent, ou la charge utile d'un bouton (« /affirm »).",
    )
    automatique: bool = Field(
        default=False,
        description="true : la salutation que le widget envoie seul à l'ouverture, que l'adhérent n'a pas "
        "tapée (l'atelier la laisse hors des statistiques, de la boîte de revue et des histoires de test).",
    )


class Button(BaseModel):
    title: str = Field(description="Le libellé affiché.")
    payload: str = Field(description="Ce que le widget renvoie quand le bouton est choisi.")


class BotMessage(BaseModel):
    text: str = Field(description="Texte brut ; seuls les liens [libellé](https://…) sont interprétés.")
    buttons: list[Button]


class HandoffView(BaseModel):
    id: int
    etat: str = Field(description="attente, en_cours ou terminee.")
    position: int = Field(description="Place dans la file (1 : le prochain) ; 0 une fois pris en charge.")
    conseiller: str | None = Field(description="Le nom du conseiller qui tient la conversation.")


class FeedbackOffer(BaseModel):
    message: int = Field(
        description="Le message de l'adhérent dont la réponse peut être jugée (POST /chat/avis)."
    )


class ChatReply(BaseModel):
    messages: list[BotMessage] = Field(description="Les réponses de Sésame, dans l'ordre.")
    avis: FeedbackOffer | None = Field(
        default=None,
        description="Présent après la réponse à une vraie question : le widget peut demander « Cette réponse "
        "vous a aidé ? ».",
    )
    handoff: HandoffView | None = Field(
        default=None,
        description="Présent quand un conseiller a (ou va avoir) la conversation : le widget suit alors "
        "GET /chat/flux (Server-Sent Events) et Sésame ne répond plus jusqu'à la fin de la prise en charge.",
    )


class ChatError(BaseModel):
    error: str = Field(description="Une phrase en français, que le widget affiche telle quelle.")


RETRY_SCHEMA = {"type": "integer"}


def _documented(status: int, description: str, **extra: Any) -> dict[str, Any]:
    return {"model": ChatError, "description": f"{description} — « {CHAT_TEXTS[status]} »", **extra}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {
        "model": ChatError,
        "description": "JSON illisible, imbriqué à l'excès, champ manquant, identifiant mal formé "
        "ou message vide.",
    },
    403: _documented(403, "L'en-tête Origin n'est pas celui de la page de Sésame"),
    413: _documented(
        413,
        f"Corps de plus de {MESSAGE_BODY_BYTES} octets, ou message de plus de {MAX_MESSAGE_CHARS} caractères",
    ),
    415: _documented(415, "Le corps n'est pas en application/json"),
    502: _documented(502, "Rasa a répondu par une erreur ou une réponse illisible"),
    503: _documented(
        503,
        "Rasa est injoignable ou trop lent : le widget renvoie le message",
        headers={
            "Retry-After": {"description": "Secondes avant de réessayer.", "schema": {"type": "integer"}}
        },
    ),
}

router = APIRouter(tags=["chat"])


def parse_chat_body(body: bytes) -> ChatRequest | Response:
    """The request, or the French error to answer (400, or 413 for a message too long)."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):  # bad UTF-8 or JSON; nesting deep enough to exhaust the stack
        return error_response(400)
    if not isinstance(data, dict):
        return error_response(400)
    try:
        request = ChatRequest.model_validate(data)
    except ValidationError as exc:
        too_long = all(
            error["type"] == "string_too_long" and error["loc"] == ("message",) for error in exc.errors()
        )
        return error_response(413 if too_long else 400)
    if not request.message.strip():
        return error_response(400, EMPTY_MESSAGE_TEXT)
    return request


def _before_the_bot(
    engine: Engine, sender: str, message: str, policy: WaitPolicy, check: NumberCheck
) -> tuple[Left | None, dict[str, Any] | None]:
    """The member leaving the agents' queue, or a message for the agent: one trip to a worker thread."""
    left = leaving_turn(engine, sender, message, policy)
    return left, None if left is not None else member_turn(engine, sender, message, policy, check)


async def _ask_rasa(
    rasa: RasaClient,
    request: Request,
    sender: str,
    message: str,
    *,
    callback: bool = False,
    automatic: bool = False,
) -> RasaTurn | Response:
    """Rasa's answer, or the French error to answer (503: the widget sends it again; 502)."""
    try:
        return await rasa.turn(
            sender,
            message,
            request.client.host if request.client else None,
            callback=callback,
            automatic=automatic,
        )
    except RasaUnavailable as exc:
        logger.warning("chat: Rasa unavailable (%s)", exc)
        return error_response(503)
    except RasaFailed as exc:
        logger.error("chat: Rasa failed (%s)", exc)
        return error_response(502)


@router.post(
    CHAT_PATH,
    summary="Envoyer un message à Sésame",
    description=(
        "Transmet le message du widget au canal REST de Rasa et renvoie les réponses (texte et boutons). "
        "Seulement depuis la page elle-même (en-tête Origin), en JSON, 8 Ko et 2 000 caractères au plus. "
        'Chaque refus est un JSON `{"error": …}` en français, que le widget affiche tel quel.'
    ),
    response_model=ChatReply,
    responses=ERROR_RESPONSES,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ChatRequest.model_json_schema()}},
        }
    },
)
async def chat(
    request: Request,
    config: Annotated[WebConfig, Depends(web_config)],
    rasa: Annotated[RasaClient, Depends(rasa_client)],
    tracker: Annotated[Engine, Depends(tracker_store)],
) -> Response:
    """Check the request, forward it to Rasa, answer ``{"messages": [...]}``.

    Only from the page's own origin (403 otherwise), only JSON (415), at most
    8 KB of body and 2,000 characters of message (413).
    """
    if not from_our_page(request, config.public_hosts):
        logger.warning("chat: refused, origin not allowed")
        return error_response(403)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        logger.info("chat: refused, 415 Unsupported Media Type")
        return error_response(415)
    parsed = parse_chat_body(await request.body())
    if isinstance(parsed, Response):
        logger.info("chat: refused, %d", parsed.status_code)
        return parsed
    policy = wait_policy(config.settings)
    check = number_check(config.settings, request.client.host if request.client else None)
    try:
        left, relayed = await run_in_threadpool(
            _before_the_bot, config.engine, parsed.sender, parsed.message, policy, check
        )
    except SQLAlchemyError as exc:
        # The member database is down: no hand-off can be open or opened, but the bot still
        # answers every question of the help document (and says the reset service is down).
        logger.error(
            "chat: member database unreachable (%s), the message goes to the bot", type(exc).__name__
        )
        left = relayed = None
    if left is not None:  # the member leaves the queue (for a call-back: Rasa's form follows)
        logger.info("chat: the member left the agents' queue")
        body: dict[str, Any] = left.body()
        if left.ask_callback:
            answer = await _ask_rasa(rasa, request, parsed.sender, CALLBACK_REQUEST, callback=True)
            # The queue is left already: on a failure the member gets a button to ask again.
            body["messages"] += [CALLBACK_RETRY] if isinstance(answer, Response) else answer.messages
        return JSONResponse(body, media_type=JSON_CONTENT_TYPE)
    if relayed is not None:  # an agent has, or will have, the conversation: the bot stays silent
        logger.info("chat: %d characters in, relayed to the hand-off", len(parsed.message))
        return JSONResponse(relayed, media_type=JSON_CONTENT_TYPE)
    started = time.monotonic()
    answer = await _ask_rasa(rasa, request, parsed.sender, parsed.message, automatic=parsed.automatique)
    if isinstance(answer, Response):
        return answer
    messages = answer.messages
    elapsed_ms = (time.monotonic() - started) * 1000
    logger.info(
        "chat: %d characters in, %d messages out, %.0f ms", len(parsed.message), len(messages), elapsed_ms
    )
    body = {"messages": messages}
    handoff = None
    # Only the action server opens hand-offs: after a turn Rasa says ran no action, none is looked for.
    if answer.actions_called is not False:
        try:
            handoff = await run_in_threadpool(opened_by_the_bot, config.engine, parsed.sender, policy)
        except SQLAlchemyError:
            handoff = None
    if handoff is not None:
        body["handoff"] = handoff
    else:  # « Cette réponse vous a aidé ? » after an answer to a real question (never during a hand-off)
        offered = await run_in_threadpool(feedback_offer, tracker, parsed.sender)
        if offered is not None:
            body["avis"] = offered
    return JSONResponse(body, media_type=JSON_CONTENT_TYPE)
