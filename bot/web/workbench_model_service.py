"""What the workbench's model section does, apart from HTTP: the model in service, a new one, a rollback.

``bot.web.routes.workbench_models`` calls these. A new model is checked, trained, compared
with the one in service (``bot.web.workbench_promotion``: the promotion gate) and loaded,
in the background (``bot.web.workbench_jobs``); a refused candidate goes into service only
by a superviseur's override with a written reason. The page must tell the truth about what
answers: ``models_view`` reads the model history (``bot.releases.history``) every time
rather than trusting the latest task, which a rollback may have overtaken.
"""

from __future__ import annotations

from bot.releases import history, loading
from bot.web import workbench_promotion as promotion
from bot.web.deps import AgentIdentity, ConsoleError
from bot.web.schemas.workbench import ModelForced, ModelsView
from bot.web.state import WebConfig
from bot.web.workbench_deps import Workbench
from bot.web.workbench_jobs import model_work
from bot.web.workbench_service import job_view, labels

MODEL_RUNNING = "Un entraînement est déjà en cours."


def models_view(bench: Workbench, message: str | None = None) -> ModelsView:
    """What answers, what a rollback would bring back, and the latest promotion's comparison."""
    releases = history.read(history.MODELS_DIR)
    job = bench.jobs.latest("modele")
    view = job_view(job)
    result = (job.result or {}) if job else {}
    refused = result.get("candidat") if job and job.state == "echec" else None
    if view is not None and job is not None and job.state != "en_cours":
        stale = result.get("actif") or refused
        if stale and stale != releases.active and job.state == "reussi":
            # A rollback (or another promotion) since: the page must not say it still answers.
            view.message = (
                f"Le modèle mis en service par la dernière tâche ({stale}) ne répond plus : "
                f"{releases.active} a été remis en service depuis."
            )
        elif refused and refused == releases.previous:
            view.message = (
                f"{refused}, refusé par la comparaison, a été mis en service malgré tout puis retiré : "
                f"{releases.active} répond."
            )
        elif refused and refused == releases.active:
            view.message = (
                f"{refused} a été mis en service malgré la comparaison, par un superviseur qui en a écrit "
                "la raison (journal d'audit)."
            )
            view.etat = "reussi"
            refused = None
    if message and view is not None:
        view.message, view.etat = message, "reussi"
    return ModelsView(
        actif=releases.active,
        precedent=releases.previous,
        retour=history.rollback_sentence(releases),
        tache=view,
        comparaison=result.get("comparaison"),
        candidat_refuse=refused,
    )


def start_model(agent: AgentIdentity, config: WebConfig, bench: Workbench) -> ModelsView:
    """Check, train, compare and load a new model in the background (409 while one is on its way)."""
    _job, started = bench.jobs.start(
        "modele",
        agent.login,
        model_work(
            bench.root,
            bench.rasa,
            (config.settings.reset_url_base,),
            config.engine,
            config.settings,
            agent.login,
            bench.evaluations,
            labels(bench.registry()),
        ),
    )
    if not started:
        raise ConsoleError(409, MODEL_RUNNING)
    return models_view(bench)


def force_model(body: ModelForced, agent: AgentIdentity, config: WebConfig, bench: Workbench) -> ModelsView:
    """A refused candidate put in service by a superviseur, with a written reason (audited, with figures)."""
    running = bench.jobs.latest("modele")
    if running is not None and running.state == "en_cours":
        raise ConsoleError(409, MODEL_RUNNING)
    try:
        releases, _ = promotion.force(
            config.engine,
            config.settings,
            bench.evaluations,
            labels(bench.registry()),
            agent.login,
            body.candidat,
            body.raison,
        )
    except promotion.PromotionRefused as refused:
        raise ConsoleError(refused.status, str(refused)) from None
    return models_view(
        bench,
        f"{releases.active} mis en service malgré la comparaison ; la raison est gardée au journal d'audit. "
        + history.rollback_sentence(releases),
    )


def rollback_model(agent: AgentIdentity, config: WebConfig, bench: Workbench) -> ModelsView:
    """The previous model back in service (409 while a new one is on its way, or without one)."""
    running = bench.jobs.latest("modele")
    if running is not None and running.state == "en_cours":
        raise ConsoleError(409, MODEL_RUNNING)
    try:
        loading.rollback(config.engine, config.settings, agent.login)
    except history.ReleaseError as refused:
        raise ConsoleError(409, str(refused)) from None
    return models_view(bench)
