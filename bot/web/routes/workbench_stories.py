"""The workbench's API: a real conversation (or handoff) saved as a test story, with its preview;
the saved stories listed with what contradicts today's decisions and data, edited, deleted.
"""

from __future__ import annotations

from bot.web import workbench_story_service as service
from bot.web.deps import Config, PageApi
from bot.web.schemas.workbench import StoryAsked, StoryView
from bot.web.schemas.workbench_stories import SavedStoriesView, StoryDeleted, StoryEdit, StoryEdited
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer, WorkbenchDep, from_workbench_page

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.post(
    "/conversation/apercu", "Aperçu d'une conversation en histoire de test", StoryView, (400, 401, 403, 422)
)
def story_preview(body: StoryAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryView:
    """Depuis une conversation (identifiant) ou une prise en charge (numéro) ; numéros masqués. Les
    questions décidées dans la boîte de revue remplacent ce que Sésame avait compris ; la salutation
    automatique du widget est laissée de côté.
    """
    return service.story(body, agent, config, bench, write=False)


@api.post(
    "/conversation", "Enregistrer une conversation comme histoire de test", StoryView, (400, 401, 403, 422)
)
def story_save(body: StoryAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryView:
    """Écrit tests/stories/test_saved_<date>_<n>.yml. Journalisé."""
    return service.story(body, agent, config, bench, write=True)


@api.get("/histoires", "Les histoires de test enregistrées depuis l'atelier", SavedStoriesView, (401, 403))
def saved(agent: Trainer, config: Config, bench: WorkbenchDep) -> SavedStoriesView:
    """Passage par passage, avec ce qui contredit une décision de la boîte de revue ou les données."""
    return service.saved_view(config, bench)


@api.post("/histoires/{fichier}", "Modifier une histoire de test", StoryEdited, (400, 401, 403, 404, 422))
def edit(fichier: str, body: StoryEdit, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryEdited:
    """Retirer des passages, choisir une autre question pour un passage. Journalisé."""
    return service.edit(fichier, body, agent, config, bench)


@api.post("/histoires/{fichier}/suppression", "Supprimer une histoire de test", StoryDeleted, (401, 403, 404))
def delete(fichier: str, agent: Trainer, config: Config, bench: WorkbenchDep) -> StoryDeleted:
    """Journalisé."""
    return service.delete(fichier, agent, config, bench)
