"""Every dependency the web routes share, in one module (as ``api/deps.py`` in FastAPI's template).

Route modules import what they share from here, never from one another, so a route
module can be split or moved without its neighbours noticing. What it offers:

- **Same page** (cross-site defence of every POST): ``page_origin_allowed``,
  ``from_our_page``, ``LOOPBACK_HOSTS``.
- **JSON API refusals** (console and workbench): ``ConsoleError`` (raised),
  ``api_error`` (the response), ``console_error_handler`` (registered by the app).
- **Documented errors** (OpenAPI ``responses``): ``ApiError``, ``documented_errors``,
  ``ERROR_TEXTS`` (the one table of descriptions) and ``errors(*statuses)``; ``PageApi``,
  the router of a page's API, whose POSTs all carry that page's Origin check.
- **Who is asking** (the session cookie, shared by the console and the workbench):
  ``COOKIE_NAME``, ``COOKIE_PATH``, ``POLL_HEADER``, ``AgentIdentity``,
  ``identity_from_cookie``, ``console_agent``, ``signed_in_agent``, ``supervisor``,
  ``from_console_page``, and their refusals ``NOT_SIGNED_IN``, ``WRONG_ORIGIN``,
  ``SUPERVISORS_ONLY``, ``AGENTS_ONLY``.
- **Presence** (``bot.agents.presence``): ``presence_of``, ``console_is_open`` (the
  console's sign of life), ``ConsoleOpen`` (its dependency for the console's queue read).
- **Annotated aliases** for endpoints: ``Config`` (the app's ``WebConfig``), ``SignedIn``
  (a console agent), ``Supervisor``.
- **Forms** (url-encoded, ours only): ``parse_form``, ``BadForm``, ``MAX_FORM_FIELDS``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlsplit

from fastapi import APIRouter, Depends
from fastapi.types import DecoratedCallable
from pydantic import BaseModel, Field
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from bot.agents import presence, sessions
from bot.db.engine import session_scope
from bot.db.enums import AgentRole
from bot.db.models import Agent, utcnow
from bot.web.errors import JSON_CONTENT_TYPE
from bot.web.state import WebConfig, web_config

# --- same page: the Origin check of every POST ------------------------------------------

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


def page_origin_allowed(origin: str | None, host: str | None, public_hosts: frozenset[str]) -> bool:
    """True when ``origin`` is the page's own origin and the page is one we serve.

    Browsers send ``Origin`` on every POST, same-origin included; a page on
    another site sends its own. ``Host`` is what the browser connected to, so
    ``Origin`` naming the same host and port is the same-origin test, and the
    host list stops a DNS-rebinding page (whose ``Host`` is the attacker's name).
    """
    if not origin or not host:
        return False
    parts = urlsplit(origin)
    if parts.scheme not in {"http", "https"} or parts.path or parts.query or parts.fragment:
        return False
    if parts.netloc.lower() != host.strip().lower():
        return False
    hostname = parts.hostname or ""  # lower-cased, IPv6 without brackets
    return hostname in LOOPBACK_HOSTS or hostname in public_hosts


def from_our_page(request: Request, public_hosts: frozenset[str]) -> bool:
    """``page_origin_allowed`` for a request: every POST of the site (chat, console, workbench) asks it."""
    return page_origin_allowed(request.headers.get("origin"), request.headers.get("host"), public_hosts)


# --- refusals of the JSON APIs (console and workbench) -----------------------------------


class ConsoleError(Exception):
    """An API refusal: ``{"error": message}`` with ``status``, in French."""

    def __init__(
        self,
        status: int,
        message: str,
        headers: dict[str, str] | None = None,
        code: str = "",
        nir_hash: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}
        # For the audit line of a refused look-up: why, and the number's keyed hash if it was a NIR.
        self.code = code
        self.nir_hash = nir_hash


def api_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers, media_type=JSON_CONTENT_TYPE)


async def console_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ConsoleError)  # noqa: S101 - registered for ConsoleError only
    return api_error(exc.status, exc.message, exc.headers)


class ApiError(BaseModel):
    error: str = Field(description="Une phrase en français, que la page affiche telle quelle.")


# What each refusal of the console's and the workbench's APIs means, for their OpenAPI schema.
ERROR_TEXTS: dict[int, str] = {
    400: "Requête illisible (JSON ou champ manquant).",
    401: "Pas de session valide (conseiller, superviseur ou formateur).",
    403: "Requête venue d'une autre page, ou rôle insuffisant pour cette action.",
    404: "Introuvable (prise en charge, intention…).",
    409: "Déjà fait ou déjà en cours : prise par un autre conseiller, tâche du même genre en cours…",
    422: "Refusé, la raison dite en français : numéro de Sécurité sociale refusé, adhérent ou "
    "conseiller inconnu, message vide, exemple en double, formulaire incomplet…",
    429: "Limite de demandes atteinte.",
    503: "L'assistant (Rasa) est indisponible.",
}


def documented_errors(texts: dict[int, str], statuses: tuple[int, ...]) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI ``responses`` of an endpoint: each status with its French error body."""
    return {status: {"model": ApiError, "description": texts[status]} for status in statuses}


def errors(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``documented_errors`` from the one table, ``ERROR_TEXTS``: ``responses=errors(401, 403)``."""
    return documented_errors(ERROR_TEXTS, statuses)


class PageApi:
    """The JSON API of one page (the console, the workbench): its router, built so that
    every route documents its French refusals and every POST checks that it comes from
    that page. The check is part of declaring the route, so none can be forgotten.

    ``@api.get(path, summary, Model, (401, 403))`` and ``@api.post(…)`` take the
    statuses of ``errors``; other keywords go to FastAPI as they are.
    """

    def __init__(self, prefix: str, tag: str, same_page: Callable[..., None]) -> None:
        self.router = APIRouter(prefix=prefix, tags=[tag])
        self._same_page = same_page

    def get(
        self, path: str, summary: str, response_model: Any, refusals: tuple[int, ...], **options: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.get(
            path, summary=summary, response_model=response_model, responses=errors(*refusals), **options
        )

    def post(
        self, path: str, summary: str, response_model: Any, refusals: tuple[int, ...], **options: Any
    ) -> Callable[[DecoratedCallable], DecoratedCallable]:
        return self.router.post(
            path,
            summary=summary,
            response_model=response_model,
            responses=errors(*refusals),
            dependencies=[Depends(self._same_page)],
            **options,
        )


# --- who is asking: the session cookie -------------------------------------------------

# One sign-in for the agents' console (/conseiller/) and the trainers' workbench (/atelier/).
COOKIE_NAME = "sesame_conseiller"
COOKIE_PATH = "/"
# The console's automatic refreshes say so: they do not count as the agent's activity.
POLL_HEADER = "x-sesame-poll"

NOT_SIGNED_IN = "Votre session a expiré ou vous n'êtes pas connecté(e) : reconnectez-vous."
WRONG_ORIGIN = "Cette demande ne vient pas de la console des conseillers : elle est refusée."
SUPERVISORS_ONLY = "Réservé aux superviseurs."
AGENTS_ONLY = "Réservé aux conseillers et aux superviseurs : un compte formateur n'ouvre pas les dossiers."


@dataclass(frozen=True)
class AgentIdentity:
    """The signed-in agent, as read from the database for this request."""

    id: int
    login: str
    display_name: str
    role: AgentRole

    @property
    def is_supervisor(self) -> bool:
        return self.role == AgentRole.SUPERVISEUR

    @classmethod
    def of(cls, agent: Agent) -> AgentIdentity:
        return cls(agent.id, agent.login, agent.display_name, agent.role)


def _now() -> dt.datetime:
    return utcnow()


def identity_from_cookie(config: WebConfig, token: str | None, *, touch: bool = True) -> AgentIdentity | None:
    """The session's agent, whatever their role, or None; ``touch`` counts it as activity."""
    with session_scope(config.engine) as session:
        agent = sessions.current_agent(session, token, _now(), touch=touch)
        return AgentIdentity.of(agent) if agent is not None else None


def console_agent(config: WebConfig, token: str | None, *, touch: bool) -> AgentIdentity:
    """The session's agent if they may use the console (advise members); else 401 or 403 (role)."""
    identity = identity_from_cookie(config, token, touch=touch)
    if identity is None:
        raise ConsoleError(401, NOT_SIGNED_IN)
    if not identity.role.advises_members:
        raise ConsoleError(403, AGENTS_ONLY)
    return identity


def signed_in_agent(request: Request, config: Annotated[WebConfig, Depends(web_config)]) -> AgentIdentity:
    """The agent of the session cookie, or 401: the only source of an agent's identity."""
    touch = request.headers.get(POLL_HEADER) != "1"
    return console_agent(config, request.cookies.get(COOKIE_NAME), touch=touch)


def from_console_page(request: Request, config: Annotated[WebConfig, Depends(web_config)]) -> None:
    """A POST must come from our own page (``Origin``), as the chat requires too."""
    if not from_our_page(request, config.public_hosts):
        raise ConsoleError(403, WRONG_ORIGIN)


def supervisor(agent: Annotated[AgentIdentity, Depends(signed_in_agent)]) -> AgentIdentity:
    if not agent.is_supervisor:
        raise ConsoleError(403, SUPERVISORS_ONLY)
    return agent


def presence_of(config: WebConfig) -> dt.timedelta:
    """``AGENT_PRESENCE_SECONDS``: how recent a console's sign of life must be."""
    return dt.timedelta(seconds=config.settings.agent_presence_seconds)


def console_is_open(config: WebConfig, token: str | None) -> bool:
    """The console of this session shows a sign of life; True if « disponible » was just
    turned off because it had been gone longer than the presence (then the page says so)."""
    with session_scope(config.engine) as session:
        return presence.console_alive_for(session, token, _now(), presence_of(config))


def console_open(request: Request, config: Annotated[WebConfig, Depends(web_config)]) -> bool:
    """``console_is_open`` for the request's session cookie (after ``signed_in_agent``)."""
    return console_is_open(config, request.cookies.get(COOKIE_NAME))


Config = Annotated[WebConfig, Depends(web_config)]
SignedIn = Annotated[AgentIdentity, Depends(signed_in_agent)]
Supervisor = Annotated[AgentIdentity, Depends(supervisor)]
# The console's sign of life (its queue read): True when « disponible » just went off after an absence.
ConsoleOpen = Annotated[bool, Depends(console_open)]

# --- forms: our url-encoded forms (sign-in, sign-out, the reset page) -------------------

# A form of ours has a handful of fields; more is not a person typing.
MAX_FORM_FIELDS = 10


class BadForm(ValueError):
    """The body is not one of our url-encoded forms."""


def parse_form(content_type: str, body: bytes) -> dict[str, str]:
    """The url-encoded form fields, first value of each; ``BadForm`` otherwise."""
    if content_type.split(";")[0].strip().lower() != "application/x-www-form-urlencoded":
        raise BadForm("not a url-encoded form")
    try:
        pairs = parse_qsl(
            body.decode("utf-8"), keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS, errors="strict"
        )
    except (UnicodeDecodeError, ValueError):
        raise BadForm("unreadable form") from None
    fields: dict[str, str] = {}
    for name, value in pairs:
        fields.setdefault(name, value)
    return fields
