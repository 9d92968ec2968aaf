"""The workbench's API: the review inbox and the decisions taken on it (``/atelier/api/boite``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import Query

from bot.web import workbench_service as service
from bot.web.deps import Config, PageApi
from bot.web.schemas.workbench import DecisionAsked, DecisionDone, InboxView, Reason
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer, WorkbenchDep, from_workbench_page
from bot.workbench.inbox import InboxFilters

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.get("/boite", "La boîte de revue", InboxView, (400, 401, 403))
def inbox(
    agent: Trainer,
    config: Config,
    bench: WorkbenchDep,
    depuis: dt.date | None = None,
    jusqua: Annotated[dt.date | None, Query(description="Inclus.")] = None,
    intention: Annotated[str | None, Query(max_length=100)] = None,
    confiance_min: Annotated[float | None, Query(ge=0, le=1)] = None,
    confiance_max: Annotated[float | None, Query(ge=0, le=1)] = None,
    raison: Reason | None = None,
    a_traiter: bool = False,
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> InboxView:
    """Les messages des adhérents que le bot n'a pas compris, compris avec une confiance faible, suivis
    d'un passage à un conseiller, signalés par un conseiller, dont la réponse a été suivie d'une
    reformulation, d'une contestation ou d'une demande de conseiller, jugée inutile dans le widget, ou
    tirés au hasard pour contrôle ; masqués, chacun avec ses raisons.
    """
    filters = InboxFilters(
        since=depuis,
        until=jusqua + dt.timedelta(days=1) if jusqua else None,
        intent=intention or None,
        min_confidence=confiance_min,
        max_confidence=confiance_max,
        reason=raison,
        undecided_only=a_traiter,
    )
    return service.inbox_view(config, bench, filters, page)


@api.post("/boite/decision", "Décider d'un message de la boîte de revue", DecisionDone, (400, 401, 403, 422))
def decide(body: DecisionAsked, agent: Trainer, config: Config, bench: WorkbenchDep) -> DecisionDone:
    """Accepter la prédiction, déplacer vers une autre intention, hors sujet ou écarter. L'exemple est
    écrit dans le fichier du thème, avec la date et le formateur ; un message qui contient un numéro
    est refusé. Journalisé.
    """
    return service.decide(body, agent, config, bench)
