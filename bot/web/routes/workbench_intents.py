"""The workbench's API: the intents, a new question, an intent edited, each with its preview.

A preview (``…/apercu``) writes into a throw-away copy of the project and answers
the diffs; the same call without ``/apercu`` writes for real (audited).
"""

from __future__ import annotations

from bot.web import workbench_service as service
from bot.web.deps import Config, PageApi
from bot.web.schemas.workbench import IntentEdit, IntentLabel, IntentView, NewQuestion, Written
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer, WorkbenchDep, from_workbench_page

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.get("/intentions", "Les intentions, par leur libellé français", list[IntentLabel], (401, 403))
def intents(agent: Trainer, bench: WorkbenchDep) -> list[IntentLabel]:
    return service.intent_choices(bench.registry())


@api.post("/question/apercu", "Aperçu d'une nouvelle question", Written, (400, 401, 403, 422))
def new_question_preview(body: NewQuestion, agent: Trainer, config: Config, bench: WorkbenchDep) -> Written:
    """Écrit la question dans une copie jetable du projet et montre ce qui changerait ; rien n'est
    écrit dans le projet.
    """
    return service.new_question(body, agent, bench, config, write=False)


@api.post("/question", "Ajouter une nouvelle question", Written, (400, 401, 403, 422))
def new_question(body: NewQuestion, agent: Trainer, config: Config, bench: WorkbenchDep) -> Written:
    """Écrit l'intention, ses exemples, sa réponse, sa règle, son entrée dans intents.yml, ses phrases
    de contrôle et une histoire de test. Journalisé.
    """
    return service.new_question(body, agent, bench, config, write=True)


@api.get("/intentions/{intention}", "Une intention : ses exemples et sa réponse", IntentView, (401, 403, 404))
def intent_of(intention: str, agent: Trainer, bench: WorkbenchDep) -> IntentView:
    return service.intent_view(intention, bench)


@api.post(
    "/intentions/{intention}/apercu",
    "Aperçu d'une modification d'intention",
    Written,
    (400, 401, 403, 404, 422),
)
def edit_preview(
    intention: str, body: IntentEdit, agent: Trainer, config: Config, bench: WorkbenchDep
) -> Written:
    return service.edit(intention, body, agent, bench, config, write=False)


@api.post(
    "/intentions/{intention}",
    "Modifier les exemples ou la réponse d'une intention",
    Written,
    (400, 401, 403, 404, 422),
)
def edit(intention: str, body: IntentEdit, agent: Trainer, config: Config, bench: WorkbenchDep) -> Written:
    """Journalisé."""
    return service.edit(intention, body, agent, bench, config, write=True)
