"""The workbench's API: a real conversation (or handoff) saved as a test story, with its preview."""

from __future__ import annotations

from bot.web import workbench_service as service
from bot.web.deps import Config, PageApi
from bot.web.schemas.workbench import StoryAsked, StoryView
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer, WorkbenchDep, from_workbench_page

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.post(
    "/conversation/apercu", "Aperçu d'une conversation en histoire de test", StoryView, (400, 401, 403, 422)
)
def story_preview(body: StoryAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryView:
    """Depuis une conversation (identifiant) ou une prise en charge (numéro) ; numéros masqués."""
    return service.story(body, agent, config, bench, write=False)


@api.post(
    "/conversation", "Enregistrer une conversation comme histoire de test", StoryView, (400, 401, 403, 422)
)
def story_save(body: StoryAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryView:
    """Écrit tests/stories/test_saved_<date>_<n>.yml. Journalisé."""
    return service.story(body, agent, config, bench, write=True)
