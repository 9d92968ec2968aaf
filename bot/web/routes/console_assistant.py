"""The console's assistant: the agent types the member's question, the bot's model classifies it.

``POST /conseiller/api/assistant`` asks the Rasa server's agents' channel for the
most likely intents and answers with the same texts the bot gives members
(``bot.agents.assistant``); ``GET /reponses/{intention}`` gives the answer for
another intent the agent picks. When the two likeliest intents are close
(``ASSISTANT_CLOSE_CALL_POINTS``), the second answer comes too, to be shown beside the
first. The question is neither kept nor logged: only the intent retained is audited.
Guards: ``bot.web.routes.console_pages``.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends
from starlette.concurrency import run_in_threadpool

from bot.agents import audit
from bot.agents.assistant import answer_for, close_call
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.dialogue.intents import REGISTRY
from bot.web.deps import ApiError, Config, ConsoleError, PageApi, SignedIn, errors, from_console_page
from bot.web.errors import CONSOLE_API_PREFIX
from bot.web.rasa import RasaClient, RasaFailed, RasaUnavailable
from bot.web.schemas.console import Answer, AssistantReply, IntentChoice, Question
from bot.web.state import rasa_client

logger = logging.getLogger("bot.web.console")

RASA_DOWN = "L'assistant est momentanément indisponible. Réessayez dans quelques instants."
UNKNOWN_INTENT = "Intention inconnue."

api = PageApi(CONSOLE_API_PREFIX, "console des conseillers", from_console_page)
router = api.router


def _label(intent: str) -> str:
    """The intent's French name (never « out of scope » or « deny »)."""
    return REGISTRY.staff_labels.get(intent, intent.replace("_", " "))


@api.post("/assistant", "Comprendre une question d'adhérent", AssistantReply, (400, 401, 403, 503))
async def assistant(
    body: Question,
    agent: SignedIn,
    config: Config,
    rasa: Annotated[RasaClient, Depends(rasa_client)],
) -> AssistantReply:
    """Le même modèle que le bot classe la question ; la réponse vient des mêmes textes. La question
    n'est ni conservée ni journalisée : seule l'intention retenue l'est.
    """
    try:
        ranked = await rasa.intents(body.question, agent.login)
    except (RasaUnavailable, RasaFailed) as exc:
        logger.warning("console: assistant unavailable (%s)", exc)
        raise ConsoleError(503, RASA_DOWN, {"Retry-After": "2"}) from None
    if not ranked:
        raise ConsoleError(503, RASA_DOWN)
    best = ranked[0]["name"]

    def record() -> None:
        with session_scope(config.engine) as session:
            audit.record(session, agent.login, AgentAction.ASSISTANT_QUESTION, intention=best)

    await run_in_threadpool(record)
    runner_up = close_call(ranked, config.settings)
    return AssistantReply(
        intentions=[
            IntentChoice(
                intention=item["name"], libelle=_label(item["name"]), confiance=round(item["confidence"], 3)
            )
            for item in ranked
        ],
        reponse=Answer.of(answer_for(best, config.settings)),
        autre_reponse=Answer.of(answer_for(runner_up, config.settings)) if runner_up else None,
    )


@router.get(
    "/reponses/{intention}",
    summary="La réponse pour une autre intention (choix du conseiller)",
    response_model=Answer,
    responses=errors(401) | {404: {"model": ApiError, "description": UNKNOWN_INTENT}},
)
def answer_of(intention: str, agent: SignedIn, config: Config) -> Answer:
    if intention not in REGISTRY.names:
        raise ConsoleError(404, UNKNOWN_INTENT)
    return Answer.of(answer_for(intention, config.settings))
