"""The workbench's API: the data check and the report, started in the background and followed.

Both are the same pair of endpoints on their own path (``POST`` starts, 202, or 409
while one runs; ``GET`` says where it is), made by ``add_job_routes`` from a
``JobEndpoints``; the machinery is ``bot.web.workbench_jobs``.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter

from bot.db.enums import AgentAction
from bot.web import workbench_service as service
from bot.web.deps import Config, errors
from bot.web.schemas.workbench import JobStatus
from bot.web.workbench_deps import API_PREFIX, API_TAG, SamePage, Trainer, WorkbenchDep
from bot.web.workbench_jobs import JobKind

ALREADY_RUNNING = "Une vérification est déjà en cours : attendez son résultat."
REPORT_RUNNING = "Un rapport est déjà en cours : attendez qu'il soit prêt."


@dataclass(frozen=True)
class JobEndpoints:
    """One kind of background job as the API shows it: its path, its audit action, its texts."""

    kind: JobKind
    path: str
    action: AgentAction
    busy: str  # the 409's message
    start_name: str  # the endpoints' names (OpenAPI operation ids)
    status_name: str
    start_summary: str
    start_description: str
    status_summary: str
    status_with_latest_report: bool  # the status also gives the latest report's headline


CHECK = JobEndpoints(
    kind="verification",
    path="/verification",
    action=AgentAction.DATA_CHECK_STARTED,
    busy=ALREADY_RUNNING,
    start_name="start_check",
    status_name="check_status",
    start_summary="Lancer la vérification des données",
    start_description="rasa data validate, puis la relecture en français (fichier et ligne) et la table de "
    "couverture du document d'aide ; en tâche de fond. Journalisé.",
    status_summary="Où en est la vérification",
    status_with_latest_report=False,
)
REPORT = JobEndpoints(
    kind="rapport",
    path="/rapport",
    action=AgentAction.REPORT_STARTED,
    busy=REPORT_RUNNING,
    start_name="start_report",
    status_name="report_status",
    start_summary="Lancer le rapport",
    start_description="Entraînement, phrases de contrôle, validation croisée, histoires de test : plusieurs "
    "minutes, en tâche de fond ; reports/index.html à la fin. Journalisé.",
    status_summary="Où en est le rapport, et les chiffres du dernier",
    status_with_latest_report=True,
)


def add_job_routes(router: APIRouter, job: JobEndpoints) -> None:
    """``POST`` (start, audited) and ``GET`` (status) of one kind of job, on ``job.path``."""

    def start(agent: Trainer, config: Config, bench: WorkbenchDep) -> JobStatus:
        return service.start_job(job.kind, agent, config, bench, job.action, job.busy)

    def status(agent: Trainer, bench: WorkbenchDep) -> JobStatus:
        latest = service.latest_report_of(bench) if job.status_with_latest_report else None
        return JobStatus(tache=service.job_view(bench.jobs.latest(job.kind)), dernier_rapport=latest)

    router.add_api_route(
        job.path,
        start,
        methods=["POST"],
        name=job.start_name,
        summary=job.start_summary,
        description=job.start_description,
        response_model=JobStatus,
        status_code=202,
        responses=errors(401, 403, 409),
        dependencies=SamePage,
    )
    router.add_api_route(
        job.path,
        status,
        methods=["GET"],
        name=job.status_name,
        summary=job.status_summary,
        response_model=JobStatus,
        responses=errors(401, 403),
    )


router = APIRouter(prefix=API_PREFIX, tags=[API_TAG])
add_job_routes(router, CHECK)
add_job_routes(router, REPORT)
