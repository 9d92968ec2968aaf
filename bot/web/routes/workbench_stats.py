"""The workbench's API: the statistics, per day (``GET /atelier/api/statistiques``)."""

from __future__ import annotations

import datetime as dt

from bot.web import workbench_stats as stats
from bot.web.deps import Config, ConsoleError, PageApi
from bot.web.schemas.workbench import StatsView
from bot.web.workbench_deps import API_PREFIX, API_TAG, Trainer, WorkbenchDep, from_workbench_page

api = PageApi(API_PREFIX, API_TAG, from_workbench_page)
router = api.router


@api.get(
    "/statistiques",
    "Les statistiques : incompréhensions, questions, passages à un conseiller, codes changés",
    StatsView,
    (400, 401, 403),
)
def statistics(
    agent: Trainer, config: Config, bench: WorkbenchDep, depuis: dt.date | None = None
) -> StatsView:
    """Par jour (heure de Paris), les mêmes chiffres que `./sesame review stats --since DATE`."""
    today = dt.datetime.now(dt.timezone.utc).date()
    since = depuis or stats.default_since(today)
    if since > today or (today - since).days > 366:
        raise ConsoleError(400, "Choisissez une date de début dans l'année écoulée.")
    return stats.stats_view(config, bench, since)
