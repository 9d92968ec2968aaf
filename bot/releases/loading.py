"""Train a candidate model, load it into the running Rasa server, roll back: each step audited.

Training runs Rasa in env A (``rasa train``) into ``models/history/``; loading asks the
Rasa server's model channel (``rasa_addons.model_channel``), which swaps the model in
with no downtime. Who acts is the ``superviseur`` checked by the caller (the
workbench from the session; ``./sesame model`` for the operator, ``cli:<user>``).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import httpx
from sqlalchemy import Engine

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.db.models import utcnow
from bot.releases import history
from bot.settings import PROJECT_ROOT, Settings

RASA = PROJECT_ROOT / ".venv" / "rasa" / "bin" / "rasa"
TRAIN_TIMEOUT_SECONDS = 1800
LOAD_TIMEOUT_SECONDS = 300


class TrainingFailed(RuntimeError):
    """``rasa train`` failed; the message (French) says where to look."""


def train_candidate(
    now: dt.datetime | None = None, run: Callable[..., object] = subprocess.run, root: Path = PROJECT_ROOT
) -> str:
    """Train a model from the data of ``root`` (this project) into ``models/history/``; its file name.

    The model always goes to this project's history, where the running Rasa server
    may load it from (``rasa_addons.model_channel``).
    """
    name = history.free_name(now or utcnow())
    history.HISTORY_DIR.mkdir(parents=True, exist_ok=True)
    command = [
        str(RASA), "train", "--domain", str(root / "domain"), "--data", str(root / "data"),
        "--config", str(root / "config.yml"), "--out", str(history.HISTORY_DIR),
        "--fixed-model-name", name, "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(PROJECT_ROOT)}
    try:
        run(
            command, cwd=PROJECT_ROOT, env=env, check=True, timeout=TRAIN_TIMEOUT_SECONDS, capture_output=True
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        raise TrainingFailed(
            f"L'entraînement a échoué ({type(exc).__name__}) : "
            "la vérification des données (« Lancer la vérification ») montre le problème."
        ) from None
    return name + ".tar.gz"


def load_url(settings: Settings) -> str:
    return f"http://{settings.internal_host}:{settings.rasa_port}/webhooks/modele/charger"


# Production mode (bot.production) names every Rasa replica here: a model must be loaded
# by each of them, not by the one the balancer happens to pick.
REPLICAS_VARIABLE = "SESAME_RASA_REPLICAS"


def load_urls(settings: Settings, environ: Mapping[str, str] | None = None) -> list[str]:
    """Where to ask for the load: every replica in production mode, else the one Rasa."""
    listed = (os.environ if environ is None else environ).get(REPLICAS_VARIABLE, "")
    bases = [base.strip().rstrip("/") for base in listed.split(",") if base.strip()]
    return [f"{base}/webhooks/modele/charger" for base in bases] or [load_url(settings)]


def ask_to_load(
    urls: list[str], name: str, headers: dict[str, str], transport: httpx.BaseTransport | None = None
) -> list[str]:
    """Ask each Rasa at ``urls`` to load ``name``; the French reason of each one that did not."""
    failures = []
    with httpx.Client(trust_env=False, timeout=LOAD_TIMEOUT_SECONDS, transport=transport) as client:
        for url in urls:
            try:
                answer = client.post(url, json={"modele": f"models/history/{name}"}, headers=headers)
            except httpx.HTTPError as exc:
                failures.append(f"{url} ne répond pas ({type(exc).__name__})")
                continue
            if answer.status_code != 200:
                try:
                    reason = str(answer.json().get("error"))
                except ValueError:
                    reason = f"HTTP {answer.status_code}"
                failures.append(f"{url} : {reason}")
    return failures


def load(
    engine: Engine,
    settings: Settings,
    name: str,
    actor: str,
    *,
    action: AgentAction = AgentAction.MODEL_LOADED,
    transport: httpx.BaseTransport | None = None,
) -> history.Releases:
    """Ask the running Rasa (every replica) to load ``name`` (from the history); record and audit it."""
    if not (history.HISTORY_DIR / name).is_file():
        raise history.ReleaseError(f"Le modèle {name} n'existe pas dans models/history/.")
    headers = {
        "X-Sesame-Channel": settings.channel_token,
        "X-Sesame-Agent": actor.removeprefix("cli:")[:64] or "cli",
    }
    urls = load_urls(settings)
    failures = ask_to_load(urls, name, headers, transport)
    if len(failures) == len(urls) == 1:
        reason = failures[0].split(" : ", 1)[-1] if " : " in failures[0] else "le serveur Rasa ne répond pas"
        raise history.ReleaseError(f"Modèle non chargé : {reason}")
    if failures:
        raise history.ReleaseError(
            f"Modèle chargé par {len(urls) - len(failures)} serveur(s) Rasa sur {len(urls)} ; pas par : "
            + " ; ".join(failures)
            + ". Recommencez le chargement une fois tous les serveurs revenus."
        )
    releases = history.record_loaded(name)
    with session_scope(engine) as session:
        audit.record(session, actor, action, modele=name, precedent=releases.previous or "")
    return releases


def rollback(
    engine: Engine, settings: Settings, actor: str, transport: httpx.BaseTransport | None = None
) -> history.Releases:
    """Load the model that answered before the current one (one click in the workbench)."""
    return load(
        engine,
        settings,
        history.rollback_target(),
        actor,
        action=AgentAction.MODEL_ROLLED_BACK,
        transport=transport,
    )


def train_and_load(engine: Engine, settings: Settings, actor: str) -> history.Releases:
    history.adopt_startup_model(utcnow())
    name = train_candidate()
    with session_scope(engine) as session:
        audit.record(session, actor, AgentAction.MODEL_TRAINED, modele=name)
    return load(engine, settings, name, actor)
