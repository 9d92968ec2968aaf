"""The workbench's statistics as its API shows them: totals, the most asked intents, one line a day.

The figures are ``bot.workbench.stats``'s (the same as ``./sesame review stats``),
per day in Paris time; rates are said the French way (« 12,5 % »).
"""

from __future__ import annotations

import datetime as dt

from bot.db.engine import session_scope
from bot.web.schemas.workbench import Fact, IntentCount, StatsView
from bot.web.state import WebConfig
from bot.web.workbench_deps import Workbench
from bot.web.workbench_service import labels
from bot.workbench.stats import daily_stats, top_intents

STATS_COLUMNS = (
    "Jour",
    "Messages",
    "Non compris",
    "Conversations",
    "Passées à un conseiller",
    "Codes envoyés",
    "Codes changés",
)


def default_since(today: dt.date) -> dt.date:
    """The statistics' first day when none is asked: 30 days ago."""
    return today - dt.timedelta(days=30)


def french_rate(value: float) -> str:
    """0.125 → « 12,5 % »."""
    return f"{value * 100:.1f} %".replace(".", ",")


def stats_view(config: WebConfig, bench: Workbench, since: dt.date) -> StatsView:
    """The totals since ``since``, the most asked intents, and one line per day with something in it."""
    with session_scope(config.engine) as session:
        days = daily_stats(bench.tracker, session, since)
    said = labels(bench.registry())
    messages = sum(d.messages for d in days)
    fallbacks = sum(d.fallbacks for d in days)
    conversations = sum(d.conversations for d in days)
    handed = sum(d.handoff_conversations for d in days)
    return StatsView(
        depuis=since,
        chiffres=[
            Fact(libelle="Messages des adhérents", valeur=str(messages)),
            Fact(libelle="Non compris", valeur=french_rate(fallbacks / messages if messages else 0.0)),
            Fact(libelle="Conversations", valeur=str(conversations)),
            Fact(
                libelle="Passées à un conseiller",
                valeur=french_rate(handed / conversations if conversations else 0.0),
            ),
            Fact(
                libelle="Nouveaux codes envoyés (e-mails et courriers)",
                valeur=str(sum(d.resets_completed for d in days)),
            ),
            Fact(libelle="Codes changés sur la page du lien", valeur=str(sum(d.codes_changed for d in days))),
        ],
        intentions=[
            IntentCount(intention=name, libelle=said.get(name, name), messages=count)
            for name, count in top_intents(days, limit=10)
        ],
        colonnes=list(STATS_COLUMNS),
        jours=[
            [
                d.day.strftime("%d/%m/%Y"),
                str(d.messages),
                french_rate(d.fallback_rate),
                str(d.conversations),
                french_rate(d.handoff_rate),
                str(d.resets_completed),
                str(d.codes_changed),
            ]
            for d in reversed(days)
            if d.messages or d.conversations or d.resets_completed or d.codes_changed
        ],
    )
