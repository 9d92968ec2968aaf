"""The workbench's API: who is signed in (``GET /atelier/api/moi``)."""

from __future__ import annotations

from fastapi import APIRouter

from bot.web.deps import errors
from bot.web.schemas.workbench import TrainerView
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer

router = APIRouter(prefix=API_PREFIX, tags=[API_TAG])


@router.get("/moi", summary="Le formateur connecté", response_model=TrainerView, responses=errors(401, 403))
def me(agent: Trainer) -> TrainerView:
    return TrainerView(login=agent.login, nom=agent.display_name, role=agent.role.value)
