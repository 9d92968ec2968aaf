"""The agents' console: ``/conseiller/`` (sign-in, the console page) and its JSON API.

Every agent action is checked here, in the back end, from the session cookie alone
(``signed_in_agent``): the browser never says who the agent is or what role they
have, and the Rasa server has no agent action at all (its agents' channel only
reads the NLU model). The guards, in the order a request meets them:

- POST requests must come from the console's own page (``Origin``, as for the chat),
  on top of the ``SameSite=Strict`` cookie: no other site can make an agent act.
- A live session (``bot.agents.sessions``: 8 hours at most, 30 minutes idle), of an
  active account; otherwise 401 and the page goes back to the sign-in form.
- The ``superviseur`` role for the full email address and the audit log (403 else).

What an agent does is audited (``bot.agents.audit``) in the same transaction as
the thing itself. The NIR an agent types is checked and hashed, never logged or
stored; the agent's question is classified, never stored.

Blocking work (the database, Argon2) runs in the thread pool: ``def`` endpoints.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from bot.agents import audit, sessions
from bot.agents.assistant import AgentAnswer, answer_for
from bot.agents.member_file import MemberFile, NirProblem, file_of, find_for_agent
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole, ResetChannel
from bot.db.models import Member, utcnow
from bot.dialogue.intents import REGISTRY
from bot.limits.clients import client_hash
from bot.resets.service import ByAgent, NoEmailOnFile, ask_for_new_code
from bot.resets.wording import NO_EMAIL_CODE, NO_EMAIL_ON_FILE, agent_words
from bot.rules import french_time
from bot.web.deps import (
    COOKIE_NAME,
    COOKIE_PATH,
    WRONG_ORIGIN,
    AgentIdentity,
    ApiError,
    BadForm,
    Config,
    ConsoleError,
    SignedIn,
    Supervisor,
    errors,
    from_console_page,
    from_our_page,
    identity_from_cookie,
    parse_form,
)
from bot.web.errors import CONSOLE_API_PREFIX, CONSOLE_PREFIX
from bot.web.rasa import RasaClient, RasaFailed, RasaUnavailable
from bot.web.sign_in import CONSOLE_PAGE, WORKBENCH_PAGE, console_html, next_page, sign_in_page
from bot.web.state import WebConfig, rasa_client

logger = logging.getLogger("bot.web.console")

MAX_QUESTION_CHARS = 2000
JOURNAL_LINES = 200

BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
SIGNED_OUT = "Vous êtes déconnecté(e)."
TRAINER_PAGE = "Votre compte est un compte formateur : la console des conseillers ne lui est pas ouverte."
NOT_CONFIRMED = "Confirmez l'envoi en nommant le canal choisi (e-mail ou courrier)."
RASA_DOWN = "L'assistant est momentanément indisponible. Réessayez dans quelques instants."
UNKNOWN_INTENT = "Intention inconnue."

CHANNEL_WORDS: dict[str, ResetChannel] = {"email": ResetChannel.EMAIL, "courrier": ResetChannel.LETTER}


# --- pages: sign-in, console, sign-out -----------------------------------------------

pages = APIRouter(include_in_schema=False)


def _cookie(response: Response, config: WebConfig, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        path=COOKIE_PATH,
        httponly=True,
        secure=config.secure_cookie,
        samesite="strict",
    )


@pages.get(CONSOLE_PREFIX)
def console_root() -> Response:
    return RedirectResponse(CONSOLE_PAGE, status_code=308)


@pages.api_route(CONSOLE_PAGE, methods=["GET", "HEAD"])
def console_page(request: Request, config: Config) -> Response:
    """The console for a signed-in agent, the sign-in form for anyone else."""
    agent = identity_from_cookie(config, request.cookies.get(COOKIE_NAME))
    if agent is None:
        message = SIGNED_OUT if request.query_params.get("sortie") == "1" else None
        return sign_in_page(message=message)
    if not agent.role.advises_members:
        return sign_in_page(403, error=TRAINER_PAGE, login=agent.login)
    return console_html("console.html", agent=agent, roles=AgentRole)


@pages.post(f"{CONSOLE_PREFIX}/connexion")
async def sign_in(request: Request, config: Config) -> Response:
    """Check the form's login and password within the limits; the same answer for any failure."""
    if not from_our_page(request, config.public_hosts):
        return sign_in_page(403, error=WRONG_ORIGIN)
    try:
        form = parse_form(request.headers.get("content-type", ""), await request.body())
    except BadForm:
        return sign_in_page(400, error=BAD_CREDENTIALS)
    login, password = form.get("identifiant", ""), form.get("mot_de_passe", "")
    suivant = next_page(form.get("suivant"))
    address = request.client.host if request.client else ""
    client = client_hash(f"console:{address}", config.settings.nir_hash_key)

    def attempt() -> sessions.SignInOutcome:
        with session_scope(config.engine) as session:
            return sessions.sign_in(session, login, password, client, utcnow())

    outcome = await run_in_threadpool(attempt)
    shown_login = login.strip()[:64]
    if isinstance(outcome, sessions.TooManyFailures):
        wait = french_time.retry_when(outcome.retry_at, utcnow())
        seconds = max(1, int((outcome.retry_at - utcnow()).total_seconds()))
        return sign_in_page(
            429,
            headers={"Retry-After": str(seconds)},
            suivant=suivant,
            error=f"Trop de tentatives de connexion. Réessayez {wait}.",
            login=shown_login,
        )
    if isinstance(outcome, sessions.BadCredentials):
        return sign_in_page(401, suivant=suivant, error=BAD_CREDENTIALS, login=shown_login)
    if suivant == CONSOLE_PAGE and not outcome.agent.role.advises_members:
        suivant = WORKBENCH_PAGE  # a formateur has the workbench, not the console
    response = RedirectResponse(suivant, status_code=303)
    _cookie(response, config, outcome.token)
    logger.info("console: sign-in")
    return response


@pages.post(f"{CONSOLE_PREFIX}/deconnexion")
async def sign_out(request: Request, config: Config) -> Response:
    if not from_our_page(request, config.public_hosts):
        return sign_in_page(403, error=WRONG_ORIGIN)
    try:
        form = parse_form(request.headers.get("content-type", ""), await request.body())
    except BadForm:
        form = {}

    def end() -> None:
        with session_scope(config.engine) as session:
            sessions.sign_out(session, request.cookies.get(COOKIE_NAME), utcnow())

    await run_in_threadpool(end)
    response = RedirectResponse(f"{next_page(form.get('suivant'))}?sortie=1", status_code=303)
    response.delete_cookie(
        COOKIE_NAME, path=COOKIE_PATH, httponly=True, secure=config.secure_cookie, samesite="strict"
    )
    return response


# --- the JSON API ----------------------------------------------------------------------


api = APIRouter(prefix=CONSOLE_API_PREFIX, tags=["console des conseillers"])


class Me(BaseModel):
    login: str
    nom: str
    role: Literal["conseiller", "superviseur", "formateur"]


@api.get("/moi", summary="Le conseiller connecté", response_model=Me, responses=errors(401))
def me(agent: SignedIn) -> Me:
    return Me(login=agent.login, nom=agent.display_name, role=agent.role.value)


class Question(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: str = Field(
        min_length=1, max_length=MAX_QUESTION_CHARS, description="La question de l'adhérent."
    )


class IntentChoice(BaseModel):
    intention: str
    libelle: str
    confiance: float = Field(description="Entre 0 et 1.")


class Answer(BaseModel):
    intention: str
    libelle: str
    a_dire: str | None = Field(description="« À dire à l'adhérent » : la réponse de Sésame aux adhérents.")
    etapes: list[str] = Field(description="La version détaillée, une étape par ligne.")
    a_faire: str | None = Field(description="Ce que le conseiller peut faire dans la console.")
    document_aide: bool


class AssistantReply(BaseModel):
    intentions: list[IntentChoice] = Field(description="Les 3 intentions les plus probables.")
    reponse: Answer


def _answer(answer: AgentAnswer) -> Answer:
    return Answer(
        intention=answer.intent,
        libelle=answer.label,
        a_dire=answer.say,
        etapes=list(answer.steps),
        a_faire=answer.to_do,
        document_aide=answer.in_help_document,
    )


def _label(intent: str) -> str:
    labels = REGISTRY.labels
    return labels.get(intent, intent.replace("_", " "))


@api.post(
    "/assistant",
    summary="Comprendre une question d'adhérent",
    description="Le même modèle que le bot classe la question ; la réponse vient des mêmes textes. "
    "La question n'est ni conservée ni journalisée : seule l'intention retenue l'est.",
    response_model=AssistantReply,
    responses=errors(400, 401, 403, 503),
    dependencies=[Depends(from_console_page)],
)
async def assistant(
    body: Question,
    agent: SignedIn,
    config: Config,
    rasa: Annotated[RasaClient, Depends(rasa_client)],
) -> AssistantReply:
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
    return AssistantReply(
        intentions=[
            IntentChoice(
                intention=item["name"], libelle=_label(item["name"]), confiance=round(item["confidence"], 3)
            )
            for item in ranked
        ],
        reponse=_answer(answer_for(best, config.settings)),
    )


@api.get(
    "/reponses/{intention}",
    summary="La réponse pour une autre intention (choix du conseiller)",
    response_model=Answer,
    responses=errors(401) | {404: {"model": ApiError, "description": UNKNOWN_INTENT}},
)
def answer_of(intention: str, agent: SignedIn, config: Config) -> Answer:
    if intention not in REGISTRY.names:
        raise ConsoleError(404, UNKNOWN_INTENT)
    return _answer(answer_for(intention, config.settings))


class NirQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nir: str = Field(
        min_length=1, max_length=64, description="Le numéro de Sécurité sociale lu par l'adhérent."
    )


class RequestView(BaseModel):
    demande: str = Field(description="Quand, en toutes lettres.")
    demande_le: dt.datetime
    canal: Literal["email", "letter"]
    par_conseiller: str | None
    etat: str
    code_etat: str
    arrivee_au_plus_tard: dt.date | None


class MemberView(BaseModel):
    nom: str
    ville: str
    email: str | None = Field(description="Masqué ; en entier pour un superviseur. null : pas d'e-mail.")
    email_complet: bool
    demandes: list[RequestView]
    demandes_restantes_24h: int
    prochaine_demande_possible: dt.datetime | None
    suggestion: str


def _member_view(file: MemberFile) -> MemberView:
    return MemberView(
        nom=file.name,
        ville=file.city,
        email=file.email_shown,
        email_complet=file.email_is_full,
        demandes=[
            RequestView(
                demande=line.requested,
                demande_le=line.requested_at,
                canal=line.channel.value,
                par_conseiller=line.by_agent,
                etat=line.state,
                code_etat=line.state_code,
                arrivee_au_plus_tard=line.expected_by,
            )
            for line in file.requests
        ],
        demandes_restantes_24h=file.remaining_today,
        prochaine_demande_possible=file.next_request_possible_at,
        suggestion=file.suggestion,
    )


def _find(session: Any, nir: str, config: WebConfig) -> Member:
    """The member, or 422 with the precise reason (audited by ``_audit_refusal``)."""
    found = find_for_agent(session, nir, config.settings.nir_hash_key)
    if isinstance(found, NirProblem):
        raise ConsoleError(422, found.message, code=found.code)
    return found


@api.post(
    "/adherent",
    summary="Le dossier d'un adhérent",
    description="Vérifie le numéro, retrouve l'adhérent et ses demandes de nouveau code. Journalisé.",
    response_model=MemberView,
    responses=errors(400, 401, 403, 422),
    dependencies=[Depends(from_console_page)],
)
def member_file(body: NirQuery, agent: SignedIn, config: Config) -> MemberView | JSONResponse:
    try:
        with session_scope(config.engine) as session:
            member = _find(session, body.nir, config)
            now = utcnow()
            file = file_of(session, member, full_email=agent.is_supervisor, now=now)
            audit.record(
                session,
                agent.login,
                AgentAction.MEMBER_LOOKUP,
                nir_hash=member.nir_hash,
                resultat="trouve",
                email_complet=file.email_is_full,
            )
            return _member_view(file)
    except ConsoleError as refused:
        _audit_refusal(config, agent, AgentAction.MEMBER_LOOKUP, refused)
        raise


def _audit_refusal(
    config: WebConfig, agent: AgentIdentity, action: AgentAction, refused: ConsoleError
) -> None:
    """A refused look-up is audited too, in its own unit of work (the request's was rolled back)."""
    if refused.code:
        with session_scope(config.engine) as session:
            audit.record(session, agent.login, action, resultat=refused.code)


class ResetOnBehalf(BaseModel):
    model_config = ConfigDict(extra="forbid")

    nir: str = Field(min_length=1, max_length=64)
    canal: Literal["email", "courrier"]
    confirmation: str = Field(
        max_length=20,
        description="Le canal, répété : la console le demande au conseiller avant d'envoyer.",
    )


class ResetDone(BaseModel):
    resultat: Literal["email_en_file", "courrier_demande", "deja_en_route", "limite_atteinte"]
    message: str
    dossier: MemberView


@api.post(
    "/adherent/nouveau-code",
    summary="Demander un nouveau code pour l'adhérent",
    description="Par e-mail (adresse connue) ou par courrier, après confirmation nommant le canal. "
    "Mêmes limites et même file d'envoi que pour l'adhérent ; enregistré au nom du conseiller.",
    response_model=ResetDone,
    responses=errors(400, 401, 403, 422),
    dependencies=[Depends(from_console_page)],
)
def reset_on_behalf(body: ResetOnBehalf, agent: SignedIn, config: Config) -> ResetDone:
    if body.confirmation.strip().lower() != body.canal:
        raise ConsoleError(400, NOT_CONFIRMED)
    channel = CHANNEL_WORDS[body.canal]
    try:
        with session_scope(config.engine) as session:
            member = _find(session, body.nir, config)
            now = utcnow()
            by = ByAgent(agent.id, channel)
            outcome = ask_for_new_code(session, member, by, now, config.settings.reset_requests_per_minute)
            if isinstance(outcome, NoEmailOnFile):
                raise ConsoleError(422, NO_EMAIL_ON_FILE, code=NO_EMAIL_CODE)
            code, message = agent_words(outcome, now)
            audit.record(
                session,
                agent.login,
                AgentAction.RESET_ON_BEHALF,
                nir_hash=member.nir_hash,
                canal=body.canal,
                resultat=code,
            )
            session.flush()
            file = file_of(session, member, full_email=agent.is_supervisor, now=now)
            return ResetDone(resultat=code, message=message, dossier=_member_view(file))  # type: ignore[arg-type]
    except ConsoleError as refused:
        _audit_refusal(config, agent, AgentAction.RESET_ON_BEHALF, refused)
        raise


class JournalLine(BaseModel):
    date: dt.datetime
    acteur: str
    action: str
    adherent: str | None = Field(description="Empreinte du numéro (jamais le numéro).")
    detail: dict[str, Any]


@api.get(
    "/journal",
    summary="Le journal des actions des conseillers (superviseurs)",
    response_model=list[JournalLine],
    responses=errors(401, 403),
)
def journal(
    agent: Supervisor,
    config: Config,
    conseiller: Annotated[str | None, Query(max_length=64)] = None,
) -> list[JournalLine]:
    with session_scope(config.engine) as session:
        lines = audit.entries(session, actor=conseiller or None, limit=JOURNAL_LINES, newest_first=True)
        shown = [
            JournalLine(
                date=line.created_at,
                acteur=line.actor,
                action=line.action,
                adherent=line.nir_hash,
                detail=dict(line.detail or {}),
            )
            for line in lines
        ]
        audit.record(session, agent.login, AgentAction.AUDIT_READ, filtre=conseiller or "")
        return shown
