"""``./sesame`` — the operator's command line (runs in env B).

Each command module adds its sub-commands with ``register`` and sets a
``handler`` returning the exit code.
"""

from __future__ import annotations

import argparse
import sys

from bot import launcher
from bot.cli import agents as cli_agents
from bot.cli import handoffs as cli_handoffs
from bot.cli import mail as cli_mail
from bot.cli import members as cli_db
from bot.cli import model as cli_model
from bot.cli import privacy as cli_privacy
from bot.cli import review as cli_review
from bot.cli.chat import chat
from bot.settings import load_settings, shell_exports


def _env(args: argparse.Namespace) -> int:
    print(shell_exports(load_settings()))
    return 0


def _chat(args: argparse.Namespace) -> int:
    port = load_settings().rasa_port
    return chat(f"http://127.0.0.1:{port}/webhooks/rest/webhook")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sesame", description="Outils d'exploitation de Sésame, l'assistant ACS."
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMANDE")
    commands.add_parser(
        "env", help="affiche les réglages résolus (.env, environnement, défauts) au format shell"
    ).set_defaults(handler=_env)
    commands.add_parser(
        "chat", help="discuter avec Sésame (lancé par `make run`) dans le terminal"
    ).set_defaults(handler=_chat)
    run = commands.add_parser(
        "run", help="lancer Sésame (processus du Procfile, journaux dans var/log/) ; Ctrl-C arrête tout"
    )
    launcher.add_arguments(run)
    run.set_defaults(handler=launcher.from_args)
    cli_db.register(commands)
    cli_mail.register(commands)
    cli_agents.register(commands)
    cli_model.register(commands)
    cli_handoffs.register(commands)
    cli_review.register(commands)
    cli_privacy.register(commands)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    return int(handler(args))


if __name__ == "__main__":
    sys.exit(main())
