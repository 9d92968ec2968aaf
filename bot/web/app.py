"""The web tier as one FastAPI application: ``create_app(settings)``.

Pages (demo page, static files), the reset links and ``POST /chat`` are routers
of their own (``bot.web.routes``) on one app, so there is one process and one
set of security headers, body limits and error pages to get right
(``bot.web.middleware``, ``bot.web.errors``). uvicorn serves it
(``python -m bot.web``).

No ``/docs`` (Swagger UI needs scripts from a CDN, which the site's policy
forbids) and no ``/openapi.json`` on the public listener: the schema documents
``POST /chat`` for developers, who get it from ``app.openapi()`` or
``python -m bot.web --openapi``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit

import httpx
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.exceptions import RequestValidationError
from sqlalchemy import Engine
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from bot.db.engine import make_engine
from bot.rules.conversation_refs import ConversationRefs
from bot.settings import DEFAULT_RESET_PATH, Settings
from bot.web import csrf, push
from bot.web.body_limits import DEFAULT_BODY_BYTES, MESSAGE_BODY_BYTES
from bot.web.deps import ConsoleError, console_error_handler
from bot.web.errors import CHAT_PATH, CONSOLE_API_PREFIX, error_for
from bot.web.middleware import (
    AccessLogMiddleware,
    BodyLimitMiddleware,
    CrashGuardMiddleware,
    SecurityHeadersMiddleware,
    TokenRedactor,
)
from bot.web.rasa import DEFAULT_TIMEOUT_SECONDS, RasaClient, agent_parse_url, new_http_client, webhook_url
from bot.web.routes import load_static_files, new_workbench, site_router
from bot.web.state import WebConfig


def reset_prefix(settings: Settings) -> str:
    """The path part of ``RESET_URL_BASE`` (``/reinitialiser`` by default)."""
    return urlsplit(settings.reset_url_base).path.rstrip("/") or DEFAULT_RESET_PATH


async def _http_error(request: Request, exc: Exception) -> Response:
    """404, 405, 413... from the router or the body limit: our French page, or JSON for /chat."""
    assert isinstance(exc, HTTPException)  # noqa: S101 - registered for HTTPException only
    return error_for(request.url.path, exc.status_code, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    """FastAPI's 422 (a parameter it could not read) is a plain 400 for our visitors."""
    return error_for(request.url.path, 400)


def create_app(
    settings: Settings,
    engine: Engine | None = None,
    *,
    rasa_transport: httpx.AsyncBaseTransport | None = None,
    rasa_timeout: float = DEFAULT_TIMEOUT_SECONDS,
    report_command: list[str] | None = None,
) -> FastAPI:
    """The whole site for ``settings``.

    ``engine`` defaults to the member database of ``settings.database_url``.
    ``rasa_transport`` and ``rasa_timeout`` exist for tests: a stand-in for Rasa,
    and a short wait for it; so does ``report_command``, what the workbench runs for
    ``make report`` (``python -m bot.training.report`` on ``WORKBENCH_ROOT`` by default).
    """
    owns_engine = engine is None
    db = engine if engine is not None else make_engine(settings.database_url)
    prefix = reset_prefix(settings)
    base = urlsplit(settings.reset_url_base)
    config = WebConfig(
        settings=settings,
        engine=db,
        reset_prefix=prefix,
        secure_cookie=base.scheme == "https",
        public_hosts=frozenset({base.hostname} if base.hostname else set()),
        csrf_key=csrf.key_from_secret(settings.csrf_secret),
        static_files=load_static_files(),
        hasher=PasswordHasher(),
        refs=ConversationRefs(settings.nir_hash_key),
    )

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with new_http_client(rasa_timeout, rasa_transport) as http:
            app.state.rasa = RasaClient(
                http,
                webhook_url(settings.rasa_port, settings.internal_host),
                settings.channel_token,
                settings.nir_hash_key,
                agent_parse_url(settings.rasa_port, settings.internal_host),
            )
            try:
                # One LISTEN connection per worker process on PostgreSQL (bot.web.push).
                async with push.pushed(db) as hub:
                    app.state.push = hub
                    yield
            finally:
                app.state.push = None
                if owns_engine:
                    db.dispose()

    redact = TokenRedactor(prefix)
    app = FastAPI(
        title="Sésame — pages web",
        version="1.1",
        description="Le widget de discussion de Sésame, les pages de réinitialisation du code d'accès, "
        "l'API de la console des conseillers et celle de l'atelier des formateurs (session obligatoire).",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
        middleware=[
            Middleware(AccessLogMiddleware, redact=redact),
            Middleware(SecurityHeadersMiddleware),
            Middleware(CrashGuardMiddleware, redact=redact),
            Middleware(
                BodyLimitMiddleware,
                default_limit=DEFAULT_BODY_BYTES,
                limits={
                    CHAT_PATH: MESSAGE_BODY_BYTES,
                    f"{CONSOLE_API_PREFIX}/assistant": MESSAGE_BODY_BYTES,
                },
            ),
        ],
        exception_handlers={
            HTTPException: _http_error,
            RequestValidationError: _validation_error,
            ConsoleError: console_error_handler,
        },
    )
    app.state.web = config
    app.state.push = None  # the lifespan's hub on PostgreSQL (bot.web.push)
    app.state.workbench = new_workbench(config, report_command)
    app.include_router(site_router(prefix))
    return app
