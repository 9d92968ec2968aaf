"""``./sesame`` — the operator's command line (runs in env B)."""

from __future__ import annotations

import argparse
import sys

from bot.chat_cli import chat
from bot.settings import load_settings, shell_exports


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sesame", description="Outils d'exploitation de Sésame, l'assistant ACS."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")
    commands.add_parser(
        "env", help="affiche les réglages résolus (.env, environnement, défauts) au format shell"
    )
    commands.add_parser("chat", help="discuter avec Sésame (lancé par `make run`) dans le terminal")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = load_settings()
    if args.command == "env":
        print(shell_exports(settings))
        return 0
    if args.command == "chat":
        return chat(f"http://127.0.0.1:{settings.as_int('RASA_PORT')}/webhooks/rest/webhook")
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
