"""The workbench's API: the model in service, a new one trained and loaded, a rollback (superviseurs)."""

from __future__ import annotations

from fastapi import APIRouter

from bot.web import workbench_service as service
from bot.web.deps import Config, errors
from bot.web.schemas.workbench import ModelsView
from bot.web.workbench_deps import API_PREFIX, API_TAG, SamePage, SupervisingTrainer, Trainer, WorkbenchDep

router = APIRouter(prefix=API_PREFIX, tags=[API_TAG])


@router.get(
    "/modele",
    summary="Le modèle en service et le précédent",
    response_model=ModelsView,
    responses=errors(401, 403),
)
def models_view(agent: Trainer, bench: WorkbenchDep) -> ModelsView:
    return service.models_view(bench)


@router.post(
    "/modele",
    summary="Vérifier, entraîner et mettre en service un nouveau modèle (superviseurs)",
    description="Vérification des données, entraînement, puis chargement dans le serveur Rasa sans "
    "interruption ; en tâche de fond. Le modèle précédent est gardé pour un retour. Journalisé.",
    response_model=ModelsView,
    status_code=202,
    responses=errors(401, 403, 409),
    dependencies=SamePage,
)
def start_model(agent: SupervisingTrainer, config: Config, bench: WorkbenchDep) -> ModelsView:
    return service.start_model(agent, config, bench)


@router.post(
    "/modele/retour",
    summary="Remettre en service le modèle précédent (superviseurs)",
    response_model=ModelsView,
    responses=errors(401, 403, 409),
    dependencies=SamePage,
)
def rollback_model(agent: SupervisingTrainer, config: Config, bench: WorkbenchDep) -> ModelsView:
    return service.rollback_model(agent, config, bench)
