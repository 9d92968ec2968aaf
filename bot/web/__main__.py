"""``python -m bot.web`` — serve Sésame's web pages (demo page with the chat, reset links) with uvicorn.

Stops cleanly on SIGINT (Ctrl-C) or SIGTERM (``make run``, the browser tests):
uvicorn stops accepting, finishes the requests in flight, runs the app's
shutdown, and the process exits with status 0.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import sys
from types import FrameType

import uvicorn

from bot.settings import SettingsError, load_settings
from bot.web.app import create_app

logger = logging.getLogger("bot.web")
# Connections the kernel queues while workers are busy; a burst of members must not be refused.
BACKLOG = 2048


class _Stopped(Exception):
    """Raised by our signal handler once uvicorn has finished and hands the signal back."""


def _stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stopped(signal.Signals(signum).name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.web",
        description="Sert les pages web de Sésame (WEB_PORT, RASA_PORT, DATABASE_URL, RESET_URL_BASE).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1, derrière un proxy)"
    )
    parser.add_argument(
        "--proxy-headers",
        action="store_true",
        help="croire X-Forwarded-For / X-Forwarded-Proto du proxy local (127.0.0.1) ; désactivé par défaut",
    )
    parser.add_argument(
        "--openapi", action="store_true", help="afficher le schéma OpenAPI de POST /chat, puis quitter"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        settings.check_safe_to_serve()
    except SettingsError as error:
        print(f"ERREUR : {error}", file=sys.stderr)
        return 2
    app = create_app(settings)
    if args.openapi:
        json.dump(app.openapi(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
        return 0
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = uvicorn.Config(
        app,
        host=args.host,
        port=settings.web_port,
        backlog=BACKLOG,
        server_header=False,  # ours says "Sesame", without versions (bot.web.middleware)
        proxy_headers=args.proxy_headers,
        # The balancer's address: on this machine (make run-prod) the loopback; in containers
        # (deploy/), the balancer's network, named by FORWARDED_ALLOW_IPS.
        forwarded_allow_ips=os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
        if args.proxy_headers
        else None,
        access_log=False,  # bot.web.middleware logs requests, with the reset token masked
        log_config=None,  # uvicorn's loggers go through the handler configured above
        lifespan="on",
        # No WebSocket route; and env B's websockets (pinned by rasa-sdk) is older than uvicorn's.
        ws="none",
    )
    # uvicorn catches SIGINT/SIGTERM while it runs, shuts down gracefully, then raises
    # the signal again for the previous handler: ours, which ends main() with status 0.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        uvicorn.Server(config).run()
    except _Stopped as stopped:
        logger.info("signal %s received: web pages stopped", stopped)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
