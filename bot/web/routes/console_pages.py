"""The agents' console: ``/conseiller/`` (the page or the sign-in form), sign-in, sign-out, ``/moi``.

The console's JSON API is one module per resource: ``console_assistant``,
``console_members``, ``console_journal``, ``console_queue`` (hand-offs) and
``console_push`` (wake-ups). Every agent action is checked in the back end, from the
session cookie alone (``bot.web.deps.signed_in_agent``): the browser never says who
the agent is or what role they have, and the Rasa server has no agent action at all
(its agents' channel only reads the NLU model). The guards, in the order a request
meets them:

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

import logging

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from bot.agents import devices, sessions
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from bot.db.models import utcnow
from bot.limits.clients import client_hash
from bot.rules import french_time
from bot.web.deps import (
    COOKIE_NAME,
    COOKIE_PATH,
    WRONG_ORIGIN,
    BadForm,
    Config,
    SignedIn,
    errors,
    from_our_page,
    identity_from_cookie,
    parse_form,
)
from bot.web.errors import CONSOLE_API_PREFIX, CONSOLE_PREFIX
from bot.web.schemas.console import Me
from bot.web.sign_in import CONSOLE_PAGE, WORKBENCH_PAGE, console_html, next_page, sign_in_page
from bot.web.state import WebConfig

logger = logging.getLogger("bot.web.console")

BAD_CREDENTIALS = "Identifiant ou mot de passe incorrect."
SIGNED_OUT = "Vous êtes déconnecté(e)."
TRAINER_PAGE = "Votre compte est un compte formateur : la console des conseillers ne lui est pas ouverte."

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
        return sign_in_page(
            403,
            error=TRAINER_PAGE,
            login=agent.login,
            elsewhere=(WORKBENCH_PAGE, "Aller à l'atelier des formateurs"),
        )
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
    key = config.settings.nir_hash_key
    client = client_hash(f"console:{address}", key)
    device_cookie = request.cookies.get(devices.COOKIE_NAME)

    def attempt() -> sessions.SignInOutcome:
        now = utcnow()
        with session_scope(config.engine) as session:
            return sessions.sign_in(
                session,
                login,
                password,
                client,
                now,
                config.settings.sign_in_failures_per_address,
                recognise=lambda typed: devices.recognised(device_cookie, typed, key, now),
            )

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
    response.set_cookie(
        devices.COOKIE_NAME,
        devices.issue(outcome.agent.login, key, utcnow()),
        max_age=int(devices.LIFETIME.total_seconds()),
        path=f"{CONSOLE_PREFIX}/connexion",  # sent with the sign-in form only
        httponly=True,
        secure=config.secure_cookie,
        samesite="strict",
    )
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


api = APIRouter(prefix=CONSOLE_API_PREFIX, tags=["console des conseillers"])


@api.get("/moi", summary="Le conseiller connecté", response_model=Me, responses=errors(401))
def me(agent: SignedIn) -> Me:
    return Me(login=agent.login, nom=agent.display_name, role=agent.role.value)
