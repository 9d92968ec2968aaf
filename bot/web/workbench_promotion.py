"""The promotion gate in the workbench: a candidate compared with the model in service, refused or loaded.

« Entraîner et mettre en service » (``bot.web.workbench_jobs.model_work``) trains a
candidate, then asks ``gate`` here: both models are evaluated on the same phrases and
stories (``bot.training.evaluation``, kept per model, so the model in service is
usually measured already) and compared (``bot.training.promotion``). A candidate worse
beyond ``PROMOTION_TOLERANCE`` is not loaded; a superviseur may still put it in service
with a written reason (``force``), kept in the agents' audit log with the figures.
Both steps are checked here, on the server, whatever the page shows.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction
from bot.releases import history, loading
from bot.settings import Settings
from bot.training.evaluation import Evaluation, Evaluations
from bot.training.promotion import Comparison, compare

CANDIDATE_NAME = re.compile(r"sesame-\d{8}-\d{6}\.tar\.gz")
NO_REASON = (
    "Écrivez pourquoi ce modèle doit être mis en service malgré la comparaison : la raison est obligatoire."
)
NOT_COMPARED = (
    "Ce modèle n'a pas été comparé avec le modèle en service sur les phrases et histoires de test "
    "actuelles : relancez « Entraîner et mettre en service »."
)
UNKNOWN_CANDIDATE = "Ce modèle n'existe pas (ou plus) dans l'historique des modèles."
ALREADY_ACTIVE = "Ce modèle est déjà en service."


class PromotionRefused(ValueError):
    """The override cannot happen; French message, and the HTTP status the API answers with."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def active_model() -> Path:
    """The model that answers: the history's active one, else the startup model."""
    active = history.read(history.MODELS_DIR).active
    if active and (history.HISTORY_DIR / active).is_file():
        return history.HISTORY_DIR / active
    return history.STARTUP_MODEL


def gate(
    evaluations: Evaluations,
    candidate: str,
    tolerance: float,
    labels: Mapping[str, str],
    evaluate: bool = True,
) -> Comparison | None:
    """The candidate (a file of the history) against the model in service; ``None`` if not measured.

    ``evaluate``: measure what is not yet (a minute or so per model); else only the kept evaluations.
    """
    measure: Callable[[Path], Evaluation | None] = evaluations.evaluate if evaluate else evaluations.stored
    before = measure(active_model())
    after = measure(history.HISTORY_DIR / candidate)
    if before is None or after is None:
        return None
    return compare(before, after, tolerance, labels)


def audit_refusal(engine: Engine, actor: str, candidate: str, comparison: Comparison) -> None:
    figures: dict[str, Any] = comparison.audit_figures()
    with session_scope(engine) as session:
        audit.record(session, actor, AgentAction.MODEL_REFUSED, modele=candidate, **figures)


def force(
    engine: Engine,
    settings: Settings,
    evaluations: Evaluations,
    labels: Mapping[str, str],
    actor: str,
    candidate: str,
    reason: str,
) -> tuple[history.Releases, Comparison]:
    """A superviseur puts a compared candidate in service anyway: the reason and the figures audited.

    The caller has checked the role; the reason must say something; the candidate must be
    a model of the history, not the active one, compared on the current test sets.
    """
    said = " ".join(reason.split())
    if not said:
        raise PromotionRefused(422, NO_REASON)
    if not CANDIDATE_NAME.fullmatch(candidate) or not (history.HISTORY_DIR / candidate).is_file():
        raise PromotionRefused(404, UNKNOWN_CANDIDATE)
    if candidate == history.read(history.MODELS_DIR).active:
        raise PromotionRefused(409, ALREADY_ACTIVE)
    comparison = gate(evaluations, candidate, settings.promotion_tolerance, labels, evaluate=False)
    if comparison is None:
        raise PromotionRefused(409, NOT_COMPARED)
    try:
        releases = loading.load(engine, settings, candidate, actor)
    except history.ReleaseError as refused:
        raise PromotionRefused(409, f"{refused} Le modèle en service n'a pas changé.") from None
    figures: dict[str, Any] = comparison.audit_figures()
    with session_scope(engine) as session:
        audit.record(
            session,
            actor,
            AgentAction.MODEL_FORCED,
            modele=candidate,
            precedent=releases.previous or "",
            raison=said[:1000],
            refuse_par_la_comparaison=comparison.refused,
            tolerance=comparison.as_dict()["tolerance"],
            **figures,
        )
    return releases, comparison


def model_label(name: str | None) -> str:
    """« le modèle du 08/12/2026 à 01:15 » from ``sesame-20261208-001500.tar.gz`` (UTC → Paris)."""
    import datetime as dt

    from bot.training.report import paris_time

    found = re.fullmatch(r"sesame-(\d{8}-\d{6})\.tar\.gz", name or "")
    if not found:
        return name or "le modèle de démarrage"
    moment = dt.datetime.strptime(found.group(1), "%Y%m%d-%H%M%S").replace(tzinfo=dt.timezone.utc)
    return f"le modèle du {paris_time(moment)}"
