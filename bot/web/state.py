"""What the routes need from the application, typed, and how they get it.

``create_app`` stores one ``WebConfig`` on ``app.state.web`` (everything known
when the app is built) and the lifespan stores the Rasa client on
``app.state.rasa`` (it needs a running event loop). Routes ask for them through
``Depends``, so they never read settings or module globals themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.requests import Request

from bot.settings import Settings
from bot.web.rasa import RasaClient


@dataclass(frozen=True)
class StaticFile:
    content: bytes
    content_type: str


@dataclass(frozen=True)
class WebConfig:
    settings: Settings
    engine: Engine
    # Path of RESET_URL_BASE, e.g. "/reinitialiser"; what follows it in a URL is secret.
    reset_prefix: str
    # The CSRF cookie is ``Secure`` whenever the site is served over HTTPS.
    secure_cookie: bool
    # Hosts besides the loopback names that the chat accepts in ``Origin``.
    public_hosts: frozenset[str]
    csrf_key: bytes
    static_files: dict[str, StaticFile]
    hasher: PasswordHasher


def web_config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.web
    return config


def rasa_client(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client
