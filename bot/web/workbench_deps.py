"""The trainers' workbench on the app: its state, and the dependencies its routes share.

The same sign-in as the agents' console (cookie ``sesame_conseiller``, path ``/``),
and the same guards, checked in the back end on every request:

- a live session of an active account, read from the cookie alone (401 otherwise;
  the pages show the sign-in form, which brings the trainer back here);
- the role: ``formateur`` or ``superviseur`` (``AgentRole.trains_the_bot``; 403 else,
  a conseiller has the console, not the workbench);
- on every POST, ``Origin`` of our own pages (403), on top of the
  ``SameSite=Strict`` cookie.

The project folder read and written is ``Settings.workbench_path``
(``WORKBENCH_ROOT``), so tests work on a throw-away copy.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

from fastapi import Depends
from sqlalchemy import Engine
from starlette.requests import Request

from bot.db.engine import make_engine
from bot.dialogue.intents import IntentRegistry, RegistryError, load_registry
from bot.settings import PROJECT_ROOT
from bot.training.evaluation import Evaluations
from bot.web.deps import (
    COOKIE_NAME,
    NOT_SIGNED_IN,
    POLL_HEADER,
    AgentIdentity,
    Config,
    ConsoleError,
    from_our_page,
    identity_from_cookie,
)
from bot.web.state import WebConfig
from bot.web.workbench_jobs import Jobs, report_command
from bot.workbench.tracker import tracker_engine_url

PREFIX = "/atelier"
API_PREFIX = f"{PREFIX}/api"
REPORT_PATH = f"{PREFIX}/rapport"
API_TAG = "atelier des formateurs"

TRAINERS_ONLY = "Réservé aux formateurs et aux superviseurs."
SUPERVISORS_ONLY_HERE = "Réservé aux superviseurs : demandez à un superviseur de mettre le modèle en service."
WRONG_ORIGIN = "Cette demande ne vient pas de l'atelier des formateurs : elle est refusée."


# --- what the workbench knows: the project folder, the tracker store, the long tasks -----------


@dataclass
class Workbench:
    """Stored on ``app.state.workbench`` by ``create_app``."""

    root: Path
    rasa: Path
    report_command: list[str]
    jobs: Jobs
    # The models' evaluations (the promotion gate); tests give a fake that measures nothing.
    evaluations: Evaluations
    tracker_engine: Engine | None = None
    tracker_url: str = ""

    @property
    def tracker(self) -> Engine:
        if self.tracker_engine is None:
            self.tracker_engine = make_engine(tracker_engine_url(self.tracker_url))
        return self.tracker_engine

    def registry(self) -> IntentRegistry:
        """The intents of the workbench's project, read again (a new question is in it at once)."""
        try:
            return load_registry(self.root / "intents.yml")
        except (RegistryError, OSError) as error:
            raise ConsoleError(500, f"intents.yml est illisible : {error}") from None


def new_workbench(config: WebConfig, report: list[str] | None = None) -> Workbench:
    root = config.settings.workbench_path
    return Workbench(
        root=root,
        rasa=PROJECT_ROOT / ".venv" / "rasa" / "bin" / "rasa",
        report_command=report or report_command(root),
        jobs=Jobs(),
        evaluations=Evaluations(root),
        tracker_url=config.settings.tracker_store_url,
    )


def workbench(request: Request) -> Workbench:
    found: Workbench = request.app.state.workbench
    return found


# --- who is asking ------------------------------------------------------------------------------


def trainer(request: Request, config: Config) -> AgentIdentity:
    """The agent of the session cookie, if they train the bot: 401 without a session, 403 for a conseiller."""
    touch = request.headers.get(POLL_HEADER) != "1"
    identity = identity_from_cookie(config, request.cookies.get(COOKIE_NAME), touch=touch)
    if identity is None:
        raise ConsoleError(401, NOT_SIGNED_IN)
    if not identity.role.trains_the_bot:
        raise ConsoleError(403, TRAINERS_ONLY)
    return identity


def from_workbench_page(request: Request, config: Config) -> None:
    if not from_our_page(request, config.public_hosts):
        raise ConsoleError(403, WRONG_ORIGIN)


Trainer = Annotated[AgentIdentity, Depends(trainer)]


def supervisor_trainer(agent: Trainer) -> AgentIdentity:
    if not agent.is_supervisor:
        raise ConsoleError(403, SUPERVISORS_ONLY_HERE)
    return agent


SupervisingTrainer = Annotated[AgentIdentity, Depends(supervisor_trainer)]
WorkbenchDep = Annotated[Workbench, Depends(workbench)]
SamePage = [Depends(from_workbench_page)]
