"""The workbench's API: the model in service, a new one trained and loaded, a rollback (superviseurs)."""

from __future__ import annotations

from bot.web import workbench_model_service as service
from bot.web.deps import Config, PageApi
from bot.web.schemas.workbench import ModelForced, ModelsView
from bot.web.workbench_deps import (
    API_PREFIX,
    API_TAG,
    SupervisingTrainer,
    Trainer,
    WorkbenchDep,
    from_workbench_page,
)

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.get("/modele", "Le modèle en service et le précédent", ModelsView, (401, 403))
def models_view(agent: Trainer, bench: WorkbenchDep) -> ModelsView:
    return service.models_view(bench)


@api.post(
    "/modele",
    "Vérifier, entraîner et mettre en service un nouveau modèle (superviseurs)",
    ModelsView,
    (401, 403, 409),
    status_code=202,
)
def start_model(agent: SupervisingTrainer, config: Config, bench: WorkbenchDep) -> ModelsView:
    """Vérification des données, entraînement, comparaison avec le modèle en service (phrases de
    contrôle, phrases mal tapées, histoires de test), puis chargement dans le serveur Rasa sans
    interruption ; en tâche de fond. Un modèle moins bon au-delà de PROMOTION_TOLERANCE n'est pas
    chargé. Le modèle précédent est gardé pour un retour. Journalisé.
    """
    return service.start_model(agent, config, bench)


@api.post(
    "/modele/retour", "Remettre en service le modèle précédent (superviseurs)", ModelsView, (401, 403, 409)
)
def rollback_model(agent: SupervisingTrainer, config: Config, bench: WorkbenchDep) -> ModelsView:
    return service.rollback_model(agent, config, bench)


@api.post(
    "/modele/forcer",
    "Mettre en service malgré la comparaison, avec une raison écrite (superviseurs)",
    ModelsView,
    (401, 403, 404, 409, 422),
)
def force_model(
    body: ModelForced, agent: SupervisingTrainer, config: Config, bench: WorkbenchDep
) -> ModelsView:
    """Le nouveau modèle refusé par la comparaison est chargé quand même ; la raison (obligatoire) et
    les chiffres de la comparaison sont gardés au journal d'audit.
    """
    return service.force_model(body, agent, config, bench)
