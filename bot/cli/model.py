"""``./sesame model …``: the models kept in ``models/history/``, loading one into the running Rasa, rollback.

For the operator; the workbench offers the same to a ``superviseur``. Every change is
audited under ``cli:<user>``. ``train`` needs the Rasa environment (``make venvs``) and
``load``/``rollback``/``train`` need Sésame running (``make run``) and its CHANNEL_TOKEN to
sign the request: the one of ``.env``, or else the one ``make run`` drew for this run and
wrote to its private run file (``bot.run_token``).
"""

from __future__ import annotations

import argparse
import dataclasses
import sys

from bot import run_token
from bot.cli.agents import operator
from bot.db.engine import make_engine
from bot.releases import history, loading
from bot.settings import load_settings


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    model = subparsers.add_parser(
        "model", help="modèles entraînés : liste, chargement sans interruption, retour"
    )
    commands = model.add_subparsers(dest="model_command", metavar="ACTION", required=True)
    commands.add_parser("list", help="les modèles de models/history/, l'actif et le précédent").set_defaults(
        handler=_list
    )
    commands.add_parser(
        "train", help="entraîne un nouveau modèle et le charge dans Rasa en marche"
    ).set_defaults(handler=_train)
    load = commands.add_parser("load", help="charge un modèle de models/history/ dans Rasa en marche")
    load.add_argument("name", metavar="FICHIER", help="par exemple sesame-20261130-065000.tar.gz")
    load.set_defaults(handler=_load)
    commands.add_parser("rollback", help="rétablit le modèle précédent").set_defaults(handler=_rollback)


def _list(args: argparse.Namespace) -> int:
    releases = history.read()
    names = history.listed()
    if not names:
        print("Aucun modèle dans models/history/ (le premier entraînement depuis l'atelier en créera).")
        return 0
    for name in names:
        mark = (
            "  (actif)" if name == releases.active else "  (précédent)" if name == releases.previous else ""
        )
        print(name + mark)
    return 0


def _run(step: str, work: object) -> int:
    settings = load_settings()
    token = settings.channel_token or run_token.read(settings.rasa_port)
    if not token:
        print(
            "CHANNEL_TOKEN est vide et Sésame ne semble pas lancé par `make run` sur ce poste "
            f"(RASA_PORT={settings.rasa_port}) : lancez-le, ou réglez CHANNEL_TOKEN dans .env "
            "(le même pour `make run`), sinon le serveur Rasa refuse la demande.",
            file=sys.stderr,
        )
        return 1
    settings = dataclasses.replace(settings, channel_token=token)
    engine = make_engine(settings.database_url)
    try:
        releases = work(engine, settings)  # type: ignore[operator]
    except (history.ReleaseError, loading.TrainingFailed) as refused:
        print(f"{step} impossible : {refused}", file=sys.stderr)
        return 1
    print(f"Modèle actif : {releases.active} (précédent : {releases.previous or 'aucun'}).")
    return 0


def _train(args: argparse.Namespace) -> int:
    return _run("Entraînement", lambda engine, settings: loading.train_and_load(engine, settings, operator()))


def _load(args: argparse.Namespace) -> int:
    return _run("Chargement", lambda engine, settings: loading.load(engine, settings, args.name, operator()))


def _rollback(args: argparse.Namespace) -> int:
    return _run("Retour", lambda engine, settings: loading.rollback(engine, settings, operator()))
