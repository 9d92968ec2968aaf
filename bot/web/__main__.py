"""``python -m bot.web`` — serve Sésame's web pages (demo page with the chat, reset links)."""

from __future__ import annotations

import argparse
import logging

from bot.settings import load_settings
from bot.web.server import serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bot.web",
        description="Sert les pages web de Sésame (WEB_PORT, RASA_PORT, DATABASE_URL, RESET_URL_BASE).",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="adresse d'écoute (défaut : 127.0.0.1, derrière un proxy)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    serve(load_settings(), host=args.host)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
