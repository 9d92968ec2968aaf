"""The trainers' workbench: ``/atelier/`` (its pages) and its JSON API, ``/atelier/api``.

The same sign-in as the agents' console (cookie ``sesame_conseiller``, path ``/``),
and the same guards, checked in the back end on every request:

- a live session of an active account, read from the cookie alone (401 otherwise;
  the pages show the sign-in form, which brings the trainer back here);
- the role: ``formateur`` or ``superviseur`` (``AgentRole.trains_the_bot``; 403 else,
  a conseiller has the console, not the workbench);
- on every POST, ``Origin`` of our own pages (403), on top of the
  ``SameSite=Strict`` cookie.

Every change is audited with the trainer's login (``bot.agents.audit``): the
decisions and the data written by ``bot.workbench`` record themselves, the checks
and reports started here record here. The project folder read and written is
``Settings.workbench_path`` (``WORKBENCH_ROOT``), so tests work on a throw-away copy.

Blocking work (databases, files) runs in the thread pool: ``def`` endpoints.
"""

from __future__ import annotations

import datetime as dt
import difflib
import hashlib
import json
import logging
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Engine
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from bot.agents import audit
from bot.db.engine import make_engine, session_scope
from bot.db.enums import AgentAction, AgentRole, ReviewDecisionKind
from bot.dialogue.intents import IntentRegistry, RegistryError, load_registry
from bot.releases import history, loading
from bot.rules import french_time
from bot.settings import PROJECT_ROOT
from bot.training.project import ProjectError
from bot.training.report import OTHER_LABELS
from bot.web.atelier_jobs import Job, JobKind, Jobs, check_work, model_work, report_command, report_work
from bot.web.deps import (
    COOKIE_NAME,
    NOT_SIGNED_IN,
    POLL_HEADER,
    AgentIdentity,
    ConsoleError,
    from_our_page,
    identity_from_cookie,
)
from bot.web.deps import errors as _errors
from bot.web.sign_in import WORKBENCH_PAGE, sign_in_page
from bot.web.state import WebConfig, web_config
from bot.web.templating import render
from bot.workbench.consistency import load_domain
from bot.workbench.decisions import DECISION_LABELS, DecisionRefused
from bot.workbench.decisions import decide as take_decision
from bot.workbench.inbox import REASON_LABELS, InboxFilters
from bot.workbench.inbox import inbox as read_inbox
from bot.workbench.stats import daily_stats, top_intents
from bot.workbench.stories import (
    StoryError,
    next_story_path,
    save_story,
    story_from_conversation,
    story_from_handoff,
)
from bot.workbench.training_data import NOT_AN_EXAMPLE, SECRET_INTENTS, TrainingDataError, training_examples
from bot.workbench.writers import MIN_EXAMPLES, MIN_HOLDOUT, TOPICS, WriterError, add_intent, edit_intent

logger = logging.getLogger("bot.web.atelier")

PREFIX = "/atelier"
API_PREFIX = f"{PREFIX}/api"
REPORT_PATH = f"{PREFIX}/rapport"
WORKBENCH_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
)

TRAINERS_ONLY = "Réservé aux formateurs et aux superviseurs."
ADVISER_PAGE = (
    "Votre compte est un compte de conseiller : l'atelier des formateurs est réservé aux "
    "formateurs et aux superviseurs. La console des conseillers est à l'adresse /conseiller/."
)
WRONG_ORIGIN = "Cette demande ne vient pas de l'atelier des formateurs : elle est refusée."
ALREADY_RUNNING = "Une vérification est déjà en cours : attendez son résultat."
REPORT_RUNNING = "Un rapport est déjà en cours : attendez qu'il soit prêt."
NO_REPORT = "Aucun rapport pour l'instant : lancez-en un depuis « Vérifier et mesurer »."
UNKNOWN_INTENT = "Cette intention n'existe pas."

# The parts of the project a new question or an edit touches, copied for a dry run.
PREVIEW_PARTS = (
    "intents.yml",
    "config.yml",
    "couverture.yml",
    "data",
    "domain",
    "tests/stories",
    "tests/holdout",
)
MAX_DIFF_LINES = 400


# --- what the workbench knows: the project folder, the tracker store, the long tasks -----------


@dataclass
class Workbench:
    """Stored on ``app.state.atelier`` by ``create_app``."""

    root: Path
    rasa: Path
    report_command: list[str]
    jobs: Jobs
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


def tracker_engine_url(url: str) -> str:
    """Rasa's ``postgresql://`` is psycopg 2's; the web tier has psycopg 3."""
    return re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", url)


def new_workbench(config: WebConfig, report: list[str] | None = None) -> Workbench:
    root = config.settings.workbench_path
    return Workbench(
        root=root,
        rasa=PROJECT_ROOT / ".venv" / "rasa" / "bin" / "rasa",
        report_command=report or report_command(root),
        jobs=Jobs(),
        tracker_url=config.settings.tracker_store_url,
    )


def workbench(request: Request) -> Workbench:
    found: Workbench = request.app.state.atelier
    return found


# --- who is asking ------------------------------------------------------------------------------


def trainer(request: Request, config: Annotated[WebConfig, Depends(web_config)]) -> AgentIdentity:
    """The agent of the session cookie, if they train the bot: 401 without a session, 403 for a conseiller."""
    touch = request.headers.get(POLL_HEADER) != "1"
    identity = identity_from_cookie(config, request.cookies.get(COOKIE_NAME), touch=touch)
    if identity is None:
        raise ConsoleError(401, NOT_SIGNED_IN)
    if not identity.role.trains_the_bot:
        raise ConsoleError(403, TRAINERS_ONLY)
    return identity


def from_workbench_page(request: Request, config: Annotated[WebConfig, Depends(web_config)]) -> None:
    if not from_our_page(request, config.public_hosts):
        raise ConsoleError(403, WRONG_ORIGIN)


Trainer = Annotated[AgentIdentity, Depends(trainer)]
Config = Annotated[WebConfig, Depends(web_config)]
Bench = Annotated[Workbench, Depends(workbench)]
SamePage = [Depends(from_workbench_page)]


def _audit(config: WebConfig, agent: AgentIdentity, action: AgentAction, task: int) -> None:
    with session_scope(config.engine) as session:
        audit.record(session, agent.login, action, tache=task)


# --- pages --------------------------------------------------------------------------------------

pages = APIRouter(include_in_schema=False)

NAVIGATION = (
    ("boite", f"{PREFIX}/", "Boîte de revue", "1"),
    ("question", f"{PREFIX}/question", "Nouvelle question", "2"),
    ("conversation", f"{PREFIX}/conversation", "Conversation → test", "3"),
    ("verifier", f"{PREFIX}/verifier", "Vérifier et mesurer", "4"),
    ("statistiques", f"{PREFIX}/statistiques", "Statistiques", "5"),
)


def _html(body: str, status: int = 200, csp: str = WORKBENCH_CONTENT_SECURITY_POLICY) -> HTMLResponse:
    return HTMLResponse(
        body,
        status_code=status,
        headers={"Content-Security-Policy": csp, "Referrer-Policy": "same-origin"},
    )


def _signed_in_page(request: Request, config: WebConfig) -> AgentIdentity | Response:
    agent = identity_from_cookie(config, request.cookies.get(COOKIE_NAME))
    if agent is None:
        message = "Vous êtes déconnecté(e)." if request.query_params.get("sortie") == "1" else None
        return sign_in_page(suivant=WORKBENCH_PAGE, message=message)
    if not agent.role.trains_the_bot:
        return sign_in_page(403, suivant=WORKBENCH_PAGE, error=ADVISER_PAGE, login=agent.login)
    return agent


def _workbench_page(
    request: Request, config: WebConfig, bench: Workbench, template: str, current: str, **context: Any
) -> Response:
    agent = _signed_in_page(request, config)
    if not isinstance(agent, AgentIdentity):
        return agent
    registry = bench.registry()
    return _html(
        render(
            template,
            agent=agent,
            roles=AgentRole,
            navigation=NAVIGATION,
            current=current,
            intents=_intent_choices(registry),
            **context,
        )
    )


@pages.get(PREFIX)
def workbench_root() -> Response:
    return RedirectResponse(f"{PREFIX}/", status_code=308)


@pages.api_route(f"{PREFIX}/", methods=["GET", "HEAD"])
def inbox_page(request: Request, config: Config, bench: Bench) -> Response:

    return _workbench_page(request, config, bench, "atelier_boite.html", "boite", reasons=REASON_LABELS)


@pages.api_route(f"{PREFIX}/question", methods=["GET", "HEAD"])
def question_page(request: Request, config: Config, bench: Bench) -> Response:

    return _workbench_page(
        request,
        config,
        bench,
        "atelier_question.html",
        "question",
        topics=TOPICS,
        min_examples=MIN_EXAMPLES,
        min_holdout=MIN_HOLDOUT,
    )


@pages.api_route(f"{PREFIX}/conversation", methods=["GET", "HEAD"])
def conversation_page(request: Request, config: Config, bench: Bench) -> Response:
    return _workbench_page(
        request,
        config,
        bench,
        "atelier_conversation.html",
        "conversation",
        conversation=request.query_params.get("conversation", "")[:255],
    )


@pages.api_route(f"{PREFIX}/verifier", methods=["GET", "HEAD"])
def check_page(request: Request, config: Config, bench: Bench) -> Response:
    return _workbench_page(
        request, config, bench, "atelier_verifier.html", "verifier", latest=_latest_report(bench.root)
    )


@pages.api_route(f"{PREFIX}/statistiques", methods=["GET", "HEAD"])
def stats_page(request: Request, config: Config, bench: Bench) -> Response:
    since = (dt.datetime.now(dt.timezone.utc).date() - dt.timedelta(days=30)).isoformat()
    return _workbench_page(request, config, bench, "atelier_statistiques.html", "statistiques", since=since)


_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.DOTALL | re.IGNORECASE)


def report_policy(page: str) -> str:
    """No script, no request anywhere; the report's own inline CSS by its hash, its images as data."""
    hashes = " ".join(
        "'sha256-" + _b64(hashlib.sha256(style.encode("utf-8")).digest()) + "'"
        for style in _STYLE.findall(page)
    )
    return (
        f"default-src 'none'; style-src {hashes or chr(39) + 'none' + chr(39)}; img-src data:; "
        "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
    )


def _b64(raw: bytes) -> str:
    import base64

    return base64.b64encode(raw).decode("ascii")


@pages.api_route(REPORT_PATH, methods=["GET", "HEAD"])
def report_page(request: Request, config: Config, bench: Bench) -> Response:
    """The latest ``reports/index.html`` (our own generated file), under a policy that runs nothing."""
    agent = _signed_in_page(request, config)
    if not isinstance(agent, AgentIdentity):
        return agent
    path = bench.root / "reports" / "index.html"
    if not path.is_file():
        return _workbench_page(
            request, config, bench, "atelier_sans_rapport.html", "verifier", message=NO_REPORT
        )
    page = path.read_text(encoding="utf-8")
    return _html(page, csp=report_policy(page))


# --- the JSON API -------------------------------------------------------------------------------


api = APIRouter(prefix=API_PREFIX, tags=["atelier des formateurs"])


class TrainerView(BaseModel):
    login: str
    nom: str
    role: Literal["conseiller", "superviseur", "formateur"]


@api.get("/moi", summary="Le formateur connecté", response_model=TrainerView, responses=_errors(401, 403))
def me(agent: Trainer) -> TrainerView:
    return TrainerView(login=agent.login, nom=agent.display_name, role=agent.role.value)


class IntentLabel(BaseModel):
    intention: str
    libelle: str


def _intent_choices(registry: IntentRegistry) -> list[IntentLabel]:
    """The intents a trainer may give an example to, by French label."""

    labels = _labels(registry)
    names = [n for n in registry.names if n not in SECRET_INTENTS and n not in NOT_AN_EXAMPLE]
    if "out_of_scope" in names:
        names.remove("out_of_scope")
    return sorted(
        (IntentLabel(intention=n, libelle=labels.get(n, n)) for n in names), key=lambda c: c.libelle.lower()
    )


def _labels(registry: IntentRegistry) -> dict[str, str]:

    return {**OTHER_LABELS, **registry.labels}


@api.get(
    "/intentions",
    summary="Les intentions, par leur libellé français",
    response_model=list[IntentLabel],
    responses=_errors(401, 403),
)
def intents(agent: Trainer, bench: Bench) -> list[IntentLabel]:
    return _intent_choices(bench.registry())


# --- the review inbox ---


class InboxLine(BaseModel):
    conversation: str
    evenement: int
    date: dt.datetime
    texte: str = Field(description="Le message de l'adhérent, masqué (jamais un NIR ni un code).")
    intention: str | None
    libelle: str
    confiance: float | None
    raisons: list[str] = Field(description="Les raisons, en français.")
    codes_raisons: list[str]
    decision: str | None = Field(description="La décision déjà prise, en français ; null : à traiter.")


class InboxView(BaseModel):
    elements: list[InboxLine]
    total: int
    page: int
    pages: int


Reason = Literal["fallback", "low_confidence", "handoff", "flagged"]


@api.get(
    "/boite",
    summary="La boîte de revue",
    description="Les messages des adhérents que le bot n'a pas compris, compris avec une confiance "
    "faible, suivis d'un passage à un conseiller, ou signalés par un conseiller ; masqués.",
    response_model=InboxView,
    responses=_errors(400, 401, 403),
)
def inbox(
    agent: Trainer,
    config: Config,
    bench: Bench,
    depuis: dt.date | None = None,
    jusqua: Annotated[dt.date | None, Query(description="Inclus.")] = None,
    intention: Annotated[str | None, Query(max_length=100)] = None,
    confiance_min: Annotated[float | None, Query(ge=0, le=1)] = None,
    confiance_max: Annotated[float | None, Query(ge=0, le=1)] = None,
    raison: Reason | None = None,
    a_traiter: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> InboxView:

    filters = InboxFilters(
        since=depuis,
        until=jusqua + dt.timedelta(days=1) if jusqua else None,
        intent=intention or None,
        min_confidence=confiance_min,
        max_confidence=confiance_max,
        reason=raison,
        undecided_only=a_traiter,
    )
    labels = _labels(bench.registry())
    with session_scope(config.engine) as session:
        found = read_inbox(bench.tracker, session, filters, page=page)
    return InboxView(
        elements=[
            InboxLine(
                conversation=item.conversation_id,
                evenement=item.id,
                date=item.at,
                texte=item.text,
                intention=item.intent,
                libelle=labels.get(item.intent, item.intent_label) if item.intent else "",
                confiance=round(item.confidence, 3) if item.confidence is not None else None,
                raisons=[REASON_LABELS[r] for r in item.reasons],
                codes_raisons=list(item.reasons),
                decision=DECISION_LABELS[ReviewDecisionKind(item.decision)] if item.decision else None,
            )
            for item in found.items
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


DECISIONS: dict[str, ReviewDecisionKind] = {
    "accepter": ReviewDecisionKind.ACCEPTED,
    "deplacer": ReviewDecisionKind.MOVED,
    "hors_sujet": ReviewDecisionKind.OUT_OF_SCOPE,
    "ecarter": ReviewDecisionKind.DISCARDED,
}


class DecisionAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation: str = Field(min_length=1, max_length=255)
    evenement: int = Field(ge=1)
    decision: Literal["accepter", "deplacer", "hors_sujet", "ecarter"]
    intention: str | None = Field(
        default=None, max_length=100, description="Pour « deplacer » : le nom ou le libellé de l'intention."
    )


class DecisionDone(BaseModel):
    decision: str
    intention: str | None
    libelle: str | None
    fichier: str | None = Field(description="Le fichier de data/nlu/ où l'exemple a été ajouté.")
    deja_decide: bool
    message: str


@api.post(
    "/boite/decision",
    summary="Décider d'un message de la boîte de revue",
    description="Accepter la prédiction, déplacer vers une autre intention, hors sujet ou écarter. "
    "L'exemple est écrit dans le fichier du thème, avec la date et le formateur ; un message qui "
    "contient un numéro est refusé. Journalisé.",
    response_model=DecisionDone,
    responses=_errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def decide(body: DecisionAsked, agent: Trainer, config: Config, bench: Bench) -> DecisionDone:

    kind = DECISIONS[body.decision]
    try:
        with session_scope(config.engine) as session:
            outcome = take_decision(
                session,
                bench.tracker,
                conversation_id=body.conversation,
                event_id=body.evenement,
                decision=kind,
                reviewer=agent.login,
                target=body.intention,
                root=bench.root,
            )
            stored = outcome.decision
            labels = _labels(bench.registry())
            target = stored.target_intent
            written = outcome.written_to.relative_to(bench.root).as_posix() if outcome.written_to else None
            said = DECISION_LABELS[ReviewDecisionKind(stored.decision)]
            if outcome.already_decided:
                message = (
                    f"Ce message était déjà traité ({said.lower()}, par {stored.reviewer}) : rien de changé."
                )
            elif written:
                message = f"{said} : exemple ajouté à « {labels.get(target or '', target)} » dans {written}."
            else:
                message = f"{said} : rien n'est écrit dans les données."
            return DecisionDone(
                decision=said,
                intention=target,
                libelle=labels.get(target, target) if target else None,
                fichier=written,
                deja_decide=outcome.already_decided,
                message=message,
            )
    except DecisionRefused as refused:
        raise ConsoleError(422, str(refused)) from None


# --- a new question, an existing one edited ---


class AnswerButton(BaseModel):
    model_config = ConfigDict(extra="forbid")

    titre: str = Field(max_length=80)
    intention: str = Field(max_length=100, description="L'intention que le bouton envoie (son nom).")


class NewQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid")

    libelle: str = Field(min_length=1, max_length=120)
    exemples: str = Field(max_length=20_000, description="Un exemple par ligne (10 au moins).")
    controle: str = Field(
        max_length=20_000,
        description="Les phrases de contrôle, une par ligne : elles ne servent qu'à mesurer.",
    )
    reponse: str = Field(max_length=2000)
    boutons: list[AnswerButton] = Field(default_factory=list, max_length=6)
    theme: str = Field(max_length=40)
    digression: bool = False


class FileChange(BaseModel):
    chemin: str
    diff: str = Field(description="Les lignes ajoutées (+) et retirées (-), format diff unifié.")


class Written(BaseModel):
    intention: str
    fichiers: list[FileChange]
    ecrit: bool = Field(description="false : un aperçu, rien n'est écrit.")
    message: str


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _buttons(buttons: list[AnswerButton]) -> list[tuple[str, str]]:
    return [(b.titre.strip(), "/" + b.intention.strip().lstrip("/")) for b in buttons if b.titre.strip()]


def _scratch_copy(root: Path, into: Path) -> None:
    for part in PREVIEW_PARTS:
        source = root / part
        if source.is_dir():
            shutil.copytree(source, into / part)
        elif source.is_file():
            (into / part).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / part)


def _changes(before: Path, after: Path) -> list[FileChange]:
    """Every file of the preview parts that differs, as a unified diff (the generated variants summed up)."""
    found: list[FileChange] = []
    names: set[str] = set()
    for base in (before, after):
        for part in PREVIEW_PARTS:
            path = base / part
            if path.is_file():
                names.add(part)
            elif path.is_dir():
                names.update(p.relative_to(base).as_posix() for p in path.rglob("*") if p.is_file())
    for name in sorted(names):
        old = (before / name).read_text(encoding="utf-8").splitlines() if (before / name).is_file() else []
        new = (after / name).read_text(encoding="utf-8").splitlines() if (after / name).is_file() else []
        if old == new:
            continue
        if name.endswith("variantes.yml"):
            found.append(FileChange(chemin=name, diff="(copies bruitées des exemples, générées à nouveau)"))
            continue
        diff = list(difflib.unified_diff(old, new, fromfile=name, tofile=name, lineterm="", n=1))[2:]
        if len(diff) > MAX_DIFF_LINES:
            diff = [*diff[:MAX_DIFF_LINES], f"… ({len(diff) - MAX_DIFF_LINES} lignes de plus)"]
        found.append(FileChange(chemin=name, diff="\n".join(diff)))
    return found


def _dry_run(root: Path, write: Any) -> tuple[Any, list[FileChange]]:
    """``write(scratch_root)`` on a copy of the project: what it would change, nothing touched."""
    with tempfile.TemporaryDirectory(prefix="atelier-apercu-") as scratch:
        copy = Path(scratch)
        _scratch_copy(root, copy)
        outcome = write(copy)
        return outcome, _changes(root, copy)


def _writer_error(error: Exception) -> ConsoleError:
    problems = getattr(error, "problems", None) or [str(error)]
    return ConsoleError(422, " ".join(problems))


def _new_question(
    body: NewQuestion, agent: AgentIdentity, bench: Bench, config: WebConfig, write: bool
) -> Written:

    def run(root: Path, session: Any = None) -> Any:
        return add_intent(
            body.libelle,
            _lines(body.exemples),
            body.reponse,
            body.theme,
            _lines(body.controle),
            reviewer=agent.login,
            buttons=_buttons(body.boutons),
            digression=body.digression,
            root=root,
            session=session,
        )

    try:
        if not write:
            outcome, changes = _dry_run(bench.root, run)
            return Written(
                intention=outcome.name,
                fichiers=changes,
                ecrit=False,
                message=f"Aperçu : {len(changes)} fichiers seront modifiés. Rien n'est encore écrit.",
            )
        with tempfile.TemporaryDirectory(prefix="atelier-avant-") as before:
            _scratch_copy(bench.root, Path(before))
            with session_scope(config.engine) as session:
                outcome = run(bench.root, session)
            changes = _changes(Path(before), bench.root)
    except (WriterError, TrainingDataError, ProjectError, ValueError) as error:
        raise _writer_error(error) from None
    return Written(
        intention=outcome.name,
        fichiers=changes,
        ecrit=True,
        message=f"Question « {body.libelle.strip()} » ajoutée ({outcome.name}) : lancez la vérification.",
    )


@api.post(
    "/question/apercu",
    summary="Aperçu d'une nouvelle question",
    description="Écrit la question dans une copie jetable du projet et montre ce qui changerait ; "
    "rien n'est écrit dans le projet.",
    response_model=Written,
    responses=_errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def new_question_preview(body: NewQuestion, agent: Trainer, config: Config, bench: Bench) -> Written:
    return _new_question(body, agent, bench, config, write=False)


@api.post(
    "/question",
    summary="Ajouter une nouvelle question",
    description="Écrit l'intention, ses exemples, sa réponse, sa règle, son entrée dans intents.yml, "
    "ses phrases de contrôle et une histoire de test. Journalisé.",
    response_model=Written,
    responses=_errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def new_question(body: NewQuestion, agent: Trainer, config: Config, bench: Bench) -> Written:
    return _new_question(body, agent, bench, config, write=True)


class IntentView(BaseModel):
    intention: str
    libelle: str
    exemples: list[str]
    reponse: str | None = Field(description="null : la réponse est une action programmée.")
    boutons: list[AnswerButton]


@api.get(
    "/intentions/{intention}",
    summary="Une intention : ses exemples et sa réponse",
    response_model=IntentView,
    responses=_errors(401, 403, 404),
)
def intent_of(intention: str, agent: Trainer, bench: Bench) -> IntentView:

    registry = bench.registry()
    if intention not in registry.names:
        raise ConsoleError(404, UNKNOWN_INTENT)
    response = (load_domain(bench.root).get("responses") or {}).get(f"utter_{intention}") or []
    first = response[0] if len(response) == 1 and isinstance(response[0], dict) else None
    return IntentView(
        intention=intention,
        libelle=_labels(registry).get(intention, intention),
        exemples=training_examples(bench.root).get(intention, []),
        reponse=str(first.get("text", "")) if first else None,
        boutons=[
            AnswerButton(titre=str(b.get("title", "")), intention=str(b.get("payload", "")).lstrip("/"))
            for b in (first or {}).get("buttons", []) or []
        ],
    )


class IntentEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ajouter: str = Field(default="", max_length=20_000, description="Exemples à ajouter, un par ligne.")
    retirer: list[str] = Field(default_factory=list, max_length=500)
    reponse: str | None = Field(default=None, max_length=2000)
    boutons: list[AnswerButton] | None = Field(default=None, max_length=6)


def _edit(
    intention: str, body: IntentEdit, agent: AgentIdentity, bench: Bench, config: WebConfig, write: bool
) -> Written:

    if intention not in bench.registry().names:
        raise ConsoleError(404, UNKNOWN_INTENT)

    def run(root: Path, session: Any = None) -> Any:
        return edit_intent(
            intention,
            reviewer=agent.login,
            add=_lines(body.ajouter),
            remove=body.retirer,
            answer=body.reponse,
            buttons=_buttons(body.boutons) if body.boutons is not None else None,
            root=root,
            session=session,
        )

    try:
        if not write:
            _, changes = _dry_run(bench.root, run)
            return Written(
                intention=intention,
                fichiers=changes,
                ecrit=False,
                message="Aperçu : rien n'est encore écrit.",
            )
        with tempfile.TemporaryDirectory(prefix="atelier-avant-") as before:
            _scratch_copy(bench.root, Path(before))
            with session_scope(config.engine) as session:
                run(bench.root, session)
            changes = _changes(Path(before), bench.root)
    except (WriterError, TrainingDataError, ValueError) as error:
        raise _writer_error(error) from None
    return Written(intention=intention, fichiers=changes, ecrit=True, message="Modifications enregistrées.")


@api.post(
    "/intentions/{intention}/apercu",
    summary="Aperçu d'une modification d'intention",
    response_model=Written,
    responses=_errors(400, 401, 403, 404, 422),
    dependencies=SamePage,
)
def edit_preview(intention: str, body: IntentEdit, agent: Trainer, config: Config, bench: Bench) -> Written:
    return _edit(intention, body, agent, bench, config, write=False)


@api.post(
    "/intentions/{intention}",
    summary="Modifier les exemples ou la réponse d'une intention",
    description="Journalisé.",
    response_model=Written,
    responses=_errors(400, 401, 403, 404, 422),
    dependencies=SamePage,
)
def edit(intention: str, body: IntentEdit, agent: Trainer, config: Config, bench: Bench) -> Written:
    return _edit(intention, body, agent, bench, config, write=True)


# --- check and report: background tasks ---


class JobView(BaseModel):
    numero: int
    etat: Literal["en_cours", "reussi", "echec"]
    lance_par: str
    lance_le: dt.datetime
    fini_le: dt.datetime | None
    etape: int
    etapes: int
    etape_libelle: str
    pourcentage: int
    message: str
    lignes: list[str]
    resultat: dict[str, Any] | None


class JobStatus(BaseModel):
    tache: JobView | None
    dernier_rapport: dict[str, Any] | None = None


def _job_view(job: Job | None) -> JobView | None:
    if job is None:
        return None
    return JobView(
        numero=job.number,
        etat=job.state,
        lance_par=job.started_by,
        lance_le=job.started_at,
        fini_le=job.finished_at,
        etape=job.step,
        etapes=job.steps,
        etape_libelle=job.step_label,
        pourcentage=job.percent,
        message=job.message,
        lignes=list(job.lines[-40:]),
        resultat=job.result,
    )


def _start(kind: JobKind, agent: AgentIdentity, config: WebConfig, bench: Workbench) -> JobStatus:
    if kind == "verification":
        work = check_work(bench.root, bench.rasa, (config.settings.reset_url_base,))
    else:
        work = report_work(bench.report_command)
    job, started = bench.jobs.start(kind, agent.login, work)
    if not started:
        raise ConsoleError(409, ALREADY_RUNNING if kind == "verification" else REPORT_RUNNING)
    action = AgentAction.DATA_CHECK_STARTED if kind == "verification" else AgentAction.REPORT_STARTED
    _audit(config, agent, action, job.number)
    return JobStatus(tache=_job_view(job), dernier_rapport=_latest_report(bench.root))


@api.post(
    "/verification",
    summary="Lancer la vérification des données (make check-data)",
    description="rasa data validate, puis la relecture en français (fichier et ligne) et la table de "
    "couverture du document d'aide ; en tâche de fond. Journalisé.",
    response_model=JobStatus,
    status_code=202,
    responses=_errors(401, 403, 409),
    dependencies=SamePage,
)
def start_check(agent: Trainer, config: Config, bench: Bench) -> JobStatus:
    return _start("verification", agent, config, bench)


@api.get(
    "/verification",
    summary="Où en est la vérification",
    response_model=JobStatus,
    responses=_errors(401, 403),
)
def check_status(agent: Trainer, bench: Bench) -> JobStatus:
    return JobStatus(tache=_job_view(bench.jobs.latest("verification")))


@api.post(
    "/rapport",
    summary="Lancer le rapport (make report)",
    description="Entraînement, phrases de contrôle, validation croisée, histoires de test : plusieurs "
    "minutes, en tâche de fond ; reports/index.html à la fin. Journalisé.",
    response_model=JobStatus,
    status_code=202,
    responses=_errors(401, 403, 409),
    dependencies=SamePage,
)
def start_report(agent: Trainer, config: Config, bench: Bench) -> JobStatus:
    return _start("rapport", agent, config, bench)


@api.get(
    "/rapport",
    summary="Où en est le rapport, et les chiffres du dernier",
    response_model=JobStatus,
    responses=_errors(401, 403),
)
def report_status(agent: Trainer, bench: Bench) -> JobStatus:
    return JobStatus(
        tache=_job_view(bench.jobs.latest("rapport")), dernier_rapport=_latest_report(bench.root)
    )


# --- retrain and reload, rollback (superviseurs) ---


SUPERVISORS_ONLY_HERE = "Réservé aux superviseurs : demandez à un superviseur de mettre le modèle en service."
MODEL_RUNNING = "Un entraînement est déjà en cours."


def supervisor_trainer(agent: Trainer) -> AgentIdentity:
    if not agent.is_supervisor:
        raise ConsoleError(403, SUPERVISORS_ONLY_HERE)
    return agent


Supervisor = Annotated[AgentIdentity, Depends(supervisor_trainer)]


class ModelsView(BaseModel):
    actif: str | None = Field(description="Le modèle qui répond aux adhérents.")
    precedent: str | None = Field(description="Celui d'avant : le retour en un clic.")
    tache: JobView | None


def _models(bench: Workbench) -> ModelsView:
    releases = history.read()
    return ModelsView(
        actif=releases.active, precedent=releases.previous, tache=_job_view(bench.jobs.latest("modele"))
    )


@api.get(
    "/modele",
    summary="Le modèle en service et le précédent",
    response_model=ModelsView,
    responses=_errors(401, 403),
)
def models_view(agent: Trainer, bench: Bench) -> ModelsView:
    return _models(bench)


@api.post(
    "/modele",
    summary="Vérifier, entraîner et mettre en service un nouveau modèle (superviseurs)",
    description="Vérification des données, entraînement, puis chargement dans le serveur Rasa sans "
    "interruption ; en tâche de fond. Le modèle précédent est gardé pour un retour. Journalisé.",
    response_model=ModelsView,
    status_code=202,
    responses=_errors(401, 403, 409),
    dependencies=SamePage,
)
def start_model(agent: Supervisor, config: Config, bench: Bench) -> ModelsView:
    _job, started = bench.jobs.start(
        "modele",
        agent.login,
        model_work(
            bench.root,
            bench.rasa,
            (config.settings.reset_url_base,),
            config.engine,
            config.settings,
            agent.login,
        ),
    )
    if not started:
        raise ConsoleError(409, MODEL_RUNNING)
    return _models(bench)


@api.post(
    "/modele/retour",
    summary="Remettre en service le modèle précédent (superviseurs)",
    response_model=ModelsView,
    responses=_errors(401, 403, 409),
    dependencies=SamePage,
)
def rollback_model(agent: Supervisor, config: Config, bench: Bench) -> ModelsView:
    running = bench.jobs.latest("modele")
    if running is not None and running.state == "en_cours":
        raise ConsoleError(409, MODEL_RUNNING)
    try:
        loading.rollback(config.engine, config.settings, agent.login)
    except history.ReleaseError as refused:
        raise ConsoleError(409, str(refused)) from None
    return _models(bench)


def _when(created: Any) -> str | None:
    """« le 1er décembre à 10 h 00 » (Paris time) for the report's ISO time; None if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(created))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return french_time.moment(moment, dt.datetime.now(dt.timezone.utc))


def _latest_report(root: Path) -> dict[str, Any] | None:
    """The headline figures of ``reports/report-latest.json``, and whether the page exists."""
    page = root / "reports" / "index.html"
    summary = root / "reports" / "report-latest.json"
    if not page.is_file():
        return None
    found: dict[str, Any] = {"page": REPORT_PATH, "cree": None, "chiffres": {}}
    try:
        data = json.loads(summary.read_text(encoding="utf-8")) if summary.is_file() else {}
    except ValueError:
        data = {}
    found["cree"] = _when(data.get("created"))
    found["chiffres"] = {k: v for k, v in (data.get("headline") or {}).items() if v is not None}
    return found


# --- a real conversation saved as a test story ---


class StoryAsked(BaseModel):
    model_config = ConfigDict(extra="forbid")

    conversation: str | None = Field(default=None, max_length=255)
    prise_en_charge: int | None = Field(default=None, ge=1, description="Le numéro d'une prise en charge.")
    nom: str | None = Field(default=None, max_length=120, description="Le titre de l'histoire (facultatif).")


class StoryView(BaseModel):
    histoire: str = Field(
        description="Le fichier de test, au format des histoires de Rasa ; numéros masqués."
    )
    fichier: str
    ecrit: bool
    message: str


NO_SOURCE = "Indiquez l'identifiant d'une conversation ou le numéro d'une prise en charge."


def _story(
    body: StoryAsked, agent: AgentIdentity, config: WebConfig, bench: Workbench, write: bool
) -> StoryView:

    if not body.conversation and body.prise_en_charge is None:
        raise ConsoleError(422, NO_SOURCE)
    title = " ".join((body.nom or "").split()) or None
    try:
        with session_scope(config.engine) as session:
            if body.conversation:
                text = story_from_conversation(bench.tracker, body.conversation.strip(), title)
            else:
                assert body.prise_en_charge is not None  # noqa: S101 - checked above
                text = story_from_handoff(session, bench.tracker, body.prise_en_charge)
                if title:
                    text = text.replace(
                        text.split("- story: ", 1)[1].split("\n", 1)[0],
                        json.dumps(title, ensure_ascii=False),
                        1,
                    )
            if not write:
                path = next_story_path(bench.root)
                return StoryView(
                    histoire=text,
                    fichier=path.relative_to(bench.root).as_posix(),
                    ecrit=False,
                    message="Aperçu : rien n'est encore écrit.",
                )
            path = save_story(text, reviewer=agent.login, root=bench.root, session=session)
    except StoryError as error:
        raise ConsoleError(422, str(error)) from None
    written = path.relative_to(bench.root).as_posix()
    return StoryView(
        histoire=text,
        fichier=written,
        ecrit=True,
        message=f"Histoire de test enregistrée dans {written} : `make test` la rejouera.",
    )


@api.post(
    "/conversation/apercu",
    summary="Aperçu d'une conversation en histoire de test",
    description="Depuis une conversation (identifiant) ou une prise en charge (numéro) ; numéros masqués.",
    response_model=StoryView,
    responses=_errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def story_preview(body: StoryAsked, agent: Trainer, config: Config, bench: Bench) -> StoryView:
    return _story(body, agent, config, bench, write=False)


@api.post(
    "/conversation",
    summary="Enregistrer une conversation comme histoire de test",
    description="Écrit tests/stories/test_saved_<date>_<n>.yml. Journalisé.",
    response_model=StoryView,
    responses=_errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def story_save(body: StoryAsked, agent: Trainer, config: Config, bench: Bench) -> StoryView:
    return _story(body, agent, config, bench, write=True)


# --- statistics ---


class Fact(BaseModel):
    libelle: str
    valeur: str


class IntentCount(BaseModel):
    intention: str
    libelle: str
    messages: int


class StatsView(BaseModel):
    depuis: dt.date
    chiffres: list[Fact]
    intentions: list[IntentCount]
    colonnes: list[str]
    jours: list[list[str]] = Field(description="Une ligne par jour, dans l'ordre de « colonnes ».")


def _rate(value: float) -> str:
    return f"{value * 100:.1f} %".replace(".", ",")


@api.get(
    "/statistiques",
    summary="Les statistiques : incompréhensions, questions, passages à un conseiller, codes changés",
    description="Par jour (heure de Paris), les mêmes chiffres que `./sesame review stats --since DATE`.",
    response_model=StatsView,
    responses=_errors(400, 401, 403),
)
def statistics(
    agent: Trainer,
    config: Config,
    bench: Bench,
    depuis: dt.date | None = None,
) -> StatsView:

    today = dt.datetime.now(dt.timezone.utc).date()
    since = depuis or today - dt.timedelta(days=30)
    if since > today or (today - since).days > 366:
        raise ConsoleError(400, "Choisissez une date de début dans l'année écoulée.")
    with session_scope(config.engine) as session:
        days = daily_stats(bench.tracker, session, since)
    labels = _labels(bench.registry())
    messages = sum(d.messages for d in days)
    fallbacks = sum(d.fallbacks for d in days)
    conversations = sum(d.conversations for d in days)
    handed = sum(d.handoff_conversations for d in days)
    return StatsView(
        depuis=since,
        chiffres=[
            Fact(libelle="Messages des adhérents", valeur=str(messages)),
            Fact(libelle="Non compris", valeur=_rate(fallbacks / messages if messages else 0.0)),
            Fact(libelle="Conversations", valeur=str(conversations)),
            Fact(
                libelle="Passées à un conseiller",
                valeur=_rate(handed / conversations if conversations else 0.0),
            ),
            Fact(
                libelle="Nouveaux codes envoyés (e-mails et courriers)",
                valeur=str(sum(d.resets_completed for d in days)),
            ),
            Fact(libelle="Codes changés sur la page du lien", valeur=str(sum(d.codes_changed for d in days))),
        ],
        intentions=[
            IntentCount(intention=name, libelle=labels.get(name, name), messages=count)
            for name, count in top_intents(days, limit=10)
        ],
        colonnes=[
            "Jour",
            "Messages",
            "Non compris",
            "Conversations",
            "Passées à un conseiller",
            "Codes envoyés",
            "Codes changés",
        ],
        jours=[
            [
                d.day.strftime("%d/%m/%Y"),
                str(d.messages),
                _rate(d.fallback_rate),
                str(d.conversations),
                _rate(d.handoff_rate),
                str(d.resets_completed),
                str(d.codes_changed),
            ]
            for d in reversed(days)
            if d.messages or d.conversations or d.resets_completed or d.codes_changed
        ],
    )
