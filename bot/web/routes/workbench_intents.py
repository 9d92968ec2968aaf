"""The workbench's API: the intents, a new question, an intent edited, each with its preview.

A preview (``…/apercu``) writes into a throw-away copy of the project and answers
the diffs; the same call without ``/apercu`` writes for real (audited).
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.web import workbench_service as service
from bot.web.deps import Config, errors
from bot.web.schemas.workbench import IntentEdit, IntentLabel, IntentView, NewQuestion, Written
from bot.web.workbench_deps import API_PREFIX, API_TAG, SamePage, Trainer, WorkbenchDep

router = APIRouter(prefix=API_PREFIX, tags=[API_TAG])


@router.get(
    "/intentions",
    summary="Les intentions, par leur libellé français",
    response_model=list[IntentLabel],
    responses=errors(401, 403),
)
def intents(agent: Trainer, bench: WorkbenchDep) -> list[IntentLabel]:
    return service.intent_choices(bench.registry())


@router.post(
    "/question/apercu",
    summary="Aperçu d'une nouvelle question",
    description="Écrit la question dans une copie jetable du projet et montre ce qui changerait ; "
    "rien n'est écrit dans le projet.",
    response_model=Written,
    responses=errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def new_question_preview(body: NewQuestion, agent: Trainer, config: Config, bench: WorkbenchDep) -> Written:
    return service.new_question(body, agent, bench, config, write=False)


@router.post(
    "/question",
    summary="Ajouter une nouvelle question",
    description="Écrit l'intention, ses exemples, sa réponse, sa règle, son entrée dans intents.yml, "
    "ses phrases de contrôle et une histoire de test. Journalisé.",
    response_model=Written,
    responses=errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def new_question(body: NewQuestion, agent: Trainer, config: Config, bench: WorkbenchDep) -> Written:
    return service.new_question(body, agent, bench, config, write=True)


@router.get(
    "/intentions/{intention}",
    summary="Une intention : ses exemples et sa réponse",
    response_model=IntentView,
    responses=errors(401, 403, 404),
)
def intent_of(intention: str, agent: Trainer, bench: WorkbenchDep) -> IntentView:
    return service.intent_view(intention, bench)


@router.post(
    "/intentions/{intention}/apercu",
    summary="Aperçu d'une modification d'intention",
    response_model=Written,
    responses=errors(400, 401, 403, 404, 422),
    dependencies=SamePage,
)
def edit_preview(
    intention: str, body: IntentEdit, agent: Trainer, config: Config, bench: WorkbenchDep
) -> Written:
    return service.edit(intention, body, agent, bench, config, write=False)


@router.post(
    "/intentions/{intention}",
    summary="Modifier les exemples ou la réponse d'une intention",
    description="Journalisé.",
    response_model=Written,
    responses=errors(400, 401, 403, 404, 422),
    dependencies=SamePage,
)
def edit(intention: str, body: IntentEdit, agent: Trainer, config: Config, bench: WorkbenchDep) -> Written:
    return service.edit(intention, body, agent, bench, config, write=True)
