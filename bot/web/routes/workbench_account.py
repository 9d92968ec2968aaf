"""The workbench's API: who is signed in (``GET /atelier/api/moi``)."""

from __future__ import annotations

from bot.web.deps import PageApi
from bot.web.schemas.workbench import TrainerView
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer, from_workbench_page

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.get("/moi", "Le formateur connecté", TrainerView, (401, 403))
def me(agent: Trainer) -> TrainerView:
    return TrainerView(login=agent.login, nom=agent.display_name, role=agent.role.value)
