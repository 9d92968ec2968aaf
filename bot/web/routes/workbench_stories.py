"""The workbench's API: a real conversation (or handoff) saved as a test story, with its preview."""

from __future__ import annotations

from fastapi import APIRouter

from bot.web import workbench_service as service
from bot.web.deps import Config, errors
from bot.web.schemas.workbench import StoryAsked, StoryView
from bot.web.workbench_deps import API_PREFIX, API_TAG, SamePage, Trainer, WorkbenchDep

router = APIRouter(prefix=API_PREFIX, tags=[API_TAG])


@router.post(
    "/conversation/apercu",
    summary="Aperçu d'une conversation en histoire de test",
    description="Depuis une conversation (identifiant) ou une prise en charge (numéro) ; numéros masqués.",
    response_model=StoryView,
    responses=errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def story_preview(body: StoryAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryView:
    return service.story(body, agent, config, bench, write=False)


@router.post(
    "/conversation",
    summary="Enregistrer une conversation comme histoire de test",
    description="Écrit tests/stories/test_saved_<date>_<n>.yml. Journalisé.",
    response_model=StoryView,
    responses=errors(400, 401, 403, 422),
    dependencies=SamePage,
)
def story_save(body: StoryAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryView:
    return service.story(body, agent, config, bench, write=True)
