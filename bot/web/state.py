"""What the routes need from the application, typed, and how they get it.

``create_app`` stores one ``WebConfig`` on ``app.state.web`` (everything known
when the app is built) and the lifespan stores the Rasa client on
``app.state.rasa`` and the push hub on ``app.state.push`` (they need a running
event loop; the hub is None on SQLite). Routes ask for them through
``Depends``, so they never read settings or module globals themselves.
"""

from __future__ import annotations

from dataclasses import dataclass

from argon2 import PasswordHasher
from sqlalchemy import Engine
from starlette.requests import Request

from bot.rules.conversation_refs import ConversationRefs
from bot.settings import Settings
from bot.web.push import Hub
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
    # How staff name a member's conversation: never by its id, the member's chat credential.
    refs: ConversationRefs


def web_config(request: Request) -> WebConfig:
    config: WebConfig = request.app.state.web
    return config


def rasa_client(request: Request) -> RasaClient:
    client: RasaClient = request.app.state.rasa
    return client


def push_hub(request: Request) -> Hub | None:
    """The worker's notifications (PostgreSQL), or None: then streams re-read on a timer."""
    hub: Hub | None = getattr(request.app.state, "push", None)
    return hub


def tracker_store(request: Request) -> Engine:
    """Rasa's conversation store, read only (the workbench's engine, made on first use)."""
    engine: Engine = request.app.state.workbench.tracker
    return engine
