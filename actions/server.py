"""The action server: rasa-sdk's app behind a shared secret, on a private interface.

Only the Rasa server may call the actions: they look members up and queue reset
emails. ``python -m rasa_sdk`` listens on every interface and accepts any caller,
so Sésame starts the same rasa-sdk app through ``python -m actions.server``, which:

- listens on ``INTERNAL_HOST`` (127.0.0.1 unless production names a private interface);
- refuses, before any action runs, every request to ``/webhook`` and ``/actions`` that
  does not carry ``Authorization: Bearer <ACTIONS_TOKEN>`` (Rasa sends it, see
  ``endpoints.yml``), compared in constant time; ``/health`` stays open and says nothing;
- accepts only JSON bodies of a bounded size, so a page on another site cannot fire
  a blind ``text/plain`` POST at it;
- answers an unexpected error without echoing the request (it may hold a NIR).

Refusals are French JSON, for whoever reads the logs.
"""

from __future__ import annotations

import argparse
import hmac
import logging
from typing import Any

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import Settings, SettingsError, get_settings

logger = logging.getLogger(__name__)

# Rasa's action calls carry the conversation; a long one stays far below this.
MAX_BODY_BYTES = 1024 * 1024
OPEN_PATHS = frozenset({"/health"})
REFUSED = {"error": "Appel refusé : seul le serveur Rasa de Sésame peut appeler les actions."}


def _authorised(request: Request, token: str) -> bool:
    sent = request.headers.get("authorization", "")
    scheme, _, value = sent.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.encode(), token.encode())


def build_app(token: str, package: str = "actions") -> Sanic:
    """The rasa-sdk app for ``package``, guarded by ``token``; an empty token is refused."""
    if not token:
        raise SettingsError(
            "ACTIONS_TOKEN est vide : le serveur d'actions refuse de démarrer sans secret partagé "
            "avec Rasa (make run en crée un à chaque lancement)."
        )
    app: Sanic = create_app(package, cors_origins=None)
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES

    async def guard(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        if not _authorised(request, token):
            logger.warning("Appel refusé sur %s : secret absent ou faux.", request.path)
            return response.json(REFUSED, status=401)
        if request.method == "POST":
            content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if content_type != "application/json":
                return response.json({"error": "Seul le JSON est accepté."}, status=415)
        return None

    app.register_middleware(guard, "request")

    async def on_error(request: Request, exception: Exception) -> HTTPResponse:
        # The class only: rasa-sdk's own handler would echo the request, conversation included.
        logger.error("Erreur %s pendant %s", type(exception).__name__, request.path)
        status = getattr(exception, "status_code", 500)
        return response.json({"error": "Erreur interne du serveur d'actions."}, status=status)

    app.error_handler.add(Exception, on_error)
    return app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m actions.server",
        description="Serveur d'actions de Sésame (INTERNAL_HOST, ACTIONS_PORT, ACTIONS_TOKEN).",
    )
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings: Settings = get_settings()
        settings.check_safe_to_serve()
        app = build_app(settings.actions_token)
    except SettingsError as error:
        logger.error("%s", error)
        return 2
    run_options: dict[str, Any] = {"workers": 1, "access_log": False, "motd": False}
    app.run(settings.internal_host, settings.actions_port, **run_options)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
