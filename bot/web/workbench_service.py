"""What the workbench's API does, apart from HTTP: the routes (``bot.web.routes.workbench_*``) call these.

Each function reads or writes through ``bot.workbench`` (the inbox, the decisions,
the writers) and ``bot.releases``, and shapes the answer in the API's
schemas (``bot.web.schemas.workbench``); the statistics are ``bot.web.workbench_stats``,
the test stories ``bot.web.workbench_story_service``, the models ``bot.web.workbench_model_service``.
A refusal is a ``ConsoleError`` (French message, HTTP status). Every change is audited
with the trainer's login (``bot.agents.audit``): the decisions and the data written by
``bot.workbench`` record themselves, the checks and reports started here record here.

Blocking work (databases, files): called from ``def`` endpoints, in the thread pool.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.orm import Session

from bot.agents import audit
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, ReviewDecisionKind
from bot.dialogue.intents import IntentRegistry
from bot.settings import PROJECT_ROOT
from bot.training.coverage import default_help_document, parse_help_document
from bot.training.project import ProjectError
from bot.web.deps import AgentIdentity, ConsoleError
from bot.web.schemas.workbench import (
    AnswerButton,
    DecisionAsked,
    DecisionDone,
    FileChange,
    InboxLine,
    InboxView,
    IntentEdit,
    IntentLabel,
    IntentView,
    JobStatus,
    JobView,
    NewQuestion,
    Written,
)
from bot.web.state import WebConfig
from bot.web.workbench_deps import REPORT_PATH, Workbench
from bot.web.workbench_jobs import Job, JobKind, check_work, report_work
from bot.workbench import previews
from bot.workbench.consistency import load_domain
from bot.workbench.decisions import DECISION_LABELS, DecisionRefused
from bot.workbench.decisions import decide as take_decision
from bot.workbench.inbox import REASON_LABELS, InboxFilters
from bot.workbench.inbox import inbox as read_inbox
from bot.workbench.intent_checks import TOPICS, WriterError
from bot.workbench.reports import latest_report
from bot.workbench.tracker import event_of_conversation
from bot.workbench.training_data import NOT_AN_EXAMPLE, SECRET_INTENTS, TrainingDataError, training_examples
from bot.workbench.writers import add_intent, edit_intent

UNKNOWN_INTENT = "Cette intention n'existe pas."
UNKNOWN_MESSAGE = "Ce message n'existe pas (ou plus) dans les conversations enregistrées."
PREVIEW_ONLY = "Aperçu : rien n'est encore écrit."

Outcome = TypeVar("Outcome")

DECISIONS: dict[str, ReviewDecisionKind] = {
    "accepter": ReviewDecisionKind.ACCEPTED,
    "deplacer": ReviewDecisionKind.MOVED,
    "hors_sujet": ReviewDecisionKind.OUT_OF_SCOPE,
    "ecarter": ReviewDecisionKind.DISCARDED,
}


# --- the intents, by their French labels ---


def labels(registry: IntentRegistry) -> dict[str, str]:
    """Every intent's French label (``label``, or ``staff_label`` when it has no button)."""
    return dict(registry.staff_labels)


def intent_choices(registry: IntentRegistry) -> list[IntentLabel]:
    """The intents a trainer may give an example to, by French label."""
    said = labels(registry)
    names = [n for n in registry.names if n not in SECRET_INTENTS and n not in NOT_AN_EXAMPLE]
    if "out_of_scope" in names:
        names.remove("out_of_scope")
    return sorted(
        (IntentLabel(intention=n, libelle=said.get(n, n)) for n in names), key=lambda c: c.libelle.lower()
    )


def editable_intents(registry: IntentRegistry) -> list[IntentLabel]:
    """The questions a trainer may open in « Modifier une question existante », « Hors sujet » included
    (its examples are what Sésame must recognise as off-topic: trainers add to them too).
    """
    said = labels(registry)
    choices = intent_choices(registry)
    if "out_of_scope" in registry.names:
        choices.append(IntentLabel(intention="out_of_scope", libelle=said.get("out_of_scope", "Hors sujet")))
    return sorted(choices, key=lambda c: c.libelle.lower())


def latest_report_of(bench: Workbench) -> dict[str, Any] | None:
    """The latest report's headline, linking to the page that serves it."""
    return latest_report(bench.root, REPORT_PATH)


# --- the review inbox ---


def inbox_view(config: WebConfig, bench: Workbench, filters: InboxFilters, page: int) -> InboxView:
    said = labels(bench.registry())
    with session_scope(config.engine) as session:
        found = read_inbox(
            bench.tracker,
            session,
            filters,
            page=page,
            spot_check_percent=config.settings.inbox_spot_check_percent,
        )
    return InboxView(
        elements=[
            InboxLine(
                conversation=config.refs.of(item.conversation_id),
                evenement=item.id,
                date=item.at,
                texte=item.text,
                intention=item.intent,
                libelle=said.get(item.intent, item.intent_label) if item.intent else "",
                confiance=round(item.confidence, 3) if item.confidence is not None else None,
                raisons=[REASON_LABELS[r] for r in item.reasons],
                codes_raisons=list(item.reasons),
                explications=list(item.explanations),
                decision=DECISION_LABELS[ReviewDecisionKind(item.decision)] if item.decision else None,
            )
            for item in found.items
        ],
        total=found.total,
        page=found.page,
        pages=found.pages,
    )


def decide(body: DecisionAsked, agent: AgentIdentity, config: WebConfig, bench: Workbench) -> DecisionDone:
    """One decision on an inbox message; the example it adds is written in the theme's file.

    The page names the message by its conversation's reference and its event id: the
    event must belong to that conversation, as the inbox showed it.
    """
    named = event_of_conversation(bench.tracker, config.refs, body.conversation, body.evenement)
    if named is None:
        raise ConsoleError(422, UNKNOWN_MESSAGE)
    try:
        with session_scope(config.engine) as session:
            outcome = take_decision(
                session,
                bench.tracker,
                conversation_id=named.conversation_id,
                event_id=body.evenement,
                decision=DECISIONS[body.decision],
                reviewer=agent.login,
                refs=config.refs,
                target=body.intention,
                root=bench.root,
            )
            stored = outcome.decision
            said = labels(bench.registry())
            target = stored.target_intent
            written = outcome.written_to.relative_to(bench.root).as_posix() if outcome.written_to else None
            decision = DECISION_LABELS[ReviewDecisionKind(stored.decision)]
            if outcome.already_decided:
                message = (
                    f"Ce message était déjà traité ({decision.lower()}, par {stored.reviewer}) : "
                    "rien de changé."
                )
            elif written:
                label = said.get(target or "", target)
                message = (
                    f"{decision} : exemple ajouté à « {label} » ; Sésame l'apprendra à la prochaine "
                    "mise en service (« Entraîner et mettre en service »)."
                )
            else:
                message = f"{decision} : rien n'est écrit dans les données."
            return DecisionDone(
                decision=decision,
                intention=target,
                libelle=said.get(target, target) if target else None,
                fichier=written,
                deja_decide=outcome.already_decided,
                message=message,
            )
    except DecisionRefused as refused:
        raise ConsoleError(422, str(refused)) from None


# --- a new question, an existing one edited ---


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()]


def _buttons(buttons: list[AnswerButton]) -> list[tuple[str, str]]:
    return [(b.titre.strip(), "/" + b.intention.strip().lstrip("/")) for b in buttons if b.titre.strip()]


def _file_changes(diffs: list[previews.FileDiff]) -> list[FileChange]:
    return [FileChange(chemin=d.path, diff=d.diff) for d in diffs]


def _writer_error(error: Exception) -> ConsoleError:
    problems = getattr(error, "problems", None) or [str(error)]
    return ConsoleError(422, " ".join(problems))


def _write_or_preview(
    bench: Workbench, config: WebConfig, run: Callable[[Path, Session | None], Outcome], write: bool
) -> tuple[Outcome, list[FileChange]]:
    """``run`` on the project (``write``) or on a throw-away copy (a preview); and the diffs.

    For real, ``run`` gets a database session (one transaction: the writers audit
    themselves); a preview gets none, and nothing is recorded.
    """
    if write:

        def in_session(root: Path) -> Outcome:
            with session_scope(config.engine) as session:
                return run(root, session)

        outcome, diffs = previews.written(bench.root, in_session)
    else:
        outcome, diffs = previews.dry_run(bench.root, lambda root: run(root, None))
    return outcome, _file_changes(diffs)


def help_sections(bench: Workbench) -> dict[str, str]:
    """The help document's sections, number → « 3.3 Me reconnecter… » (none if it cannot be read).

    The workbench's project's document, else this project's (a copy has none beside it), as the check.
    """
    document = default_help_document(bench.root)
    if not document.is_file():
        document = default_help_document(PROJECT_ROOT)
    try:
        text = document.read_text(encoding="utf-8")
    except OSError:
        return {}
    return {s.number: f"{s.number} {s.summary}" for s in parse_help_document(text)}


def _button_labels(buttons: list[AnswerButton], said: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (title, said.get(payload.lstrip("/"), payload.lstrip("/"))) for title, payload in _buttons(buttons)
    ]


def new_question(
    body: NewQuestion, agent: AgentIdentity, bench: Workbench, config: WebConfig, write: bool
) -> Written:
    """A new intent with its examples, answer, rule and test story; or, ``write=False``, its preview."""
    sections = help_sections(bench)
    section = (body.section or "").strip() or None
    if section is not None and section not in sections:
        raise ConsoleError(422, "Choisissez la section du document d'aide dans la liste.")

    def run(root: Path, session: Session | None = None) -> Any:
        return add_intent(
            body.libelle,
            _lines(body.exemples),
            body.reponse,
            body.theme,
            _lines(body.controle),
            reviewer=agent.login,
            buttons=_buttons(body.boutons),
            digression=body.digression,
            section=section,
            root=root,
            session=session,
        )

    try:
        outcome, changes = _write_or_preview(bench, config, run, write)
    except (WriterError, TrainingDataError, ProjectError, ValueError) as error:
        raise _writer_error(error) from None
    summary = previews.question_summary(
        label=body.libelle,
        examples=list(outcome.examples) or _lines(body.exemples),
        answer=body.reponse,
        buttons=_button_labels(body.boutons, labels(bench.registry())),
        holdout=len(_lines(body.controle)),
        topic=TOPICS.get(body.theme, body.theme),
        section=sections.get(section) if section else None,
        digression=body.digression,
    )
    if not write:
        return Written(
            intention=outcome.name,
            fichiers=changes,
            ecrit=False,
            message="Aperçu : voici ce que Sésame apprendra. Rien n'est encore écrit.",
            resume=summary,
        )
    return Written(
        intention=outcome.name,
        fichiers=changes,
        ecrit=True,
        message=f"Question « {body.libelle.strip()} » ajoutée. Prochaine étape : « Lancer la vérification », "
        "page « Vérifier et mesurer ».",
        resume=summary,
    )


def intent_view(intention: str, bench: Workbench) -> IntentView:
    """An intent's examples, and its answer when it is a plain text (with buttons)."""
    registry = bench.registry()
    if intention not in registry.names:
        raise ConsoleError(404, UNKNOWN_INTENT)
    response = (load_domain(bench.root).get("responses") or {}).get(f"utter_{intention}") or []
    first = response[0] if len(response) == 1 and isinstance(response[0], dict) else None
    return IntentView(
        intention=intention,
        libelle=labels(registry).get(intention, intention),
        exemples=training_examples(bench.root).get(intention, []),
        reponse=str(first.get("text", "")) if first else None,
        boutons=[
            AnswerButton(titre=str(b.get("title", "")), intention=str(b.get("payload", "")).lstrip("/"))
            for b in (first or {}).get("buttons", []) or []
        ],
    )


def edit(
    intention: str, body: IntentEdit, agent: AgentIdentity, bench: Workbench, config: WebConfig, write: bool
) -> Written:
    """Examples added or removed, the answer changed; or, ``write=False``, a preview of it."""
    if intention not in bench.registry().names:
        raise ConsoleError(404, UNKNOWN_INTENT)

    def run(root: Path, session: Session | None = None) -> Any:
        return edit_intent(
            intention,
            reviewer=agent.login,
            add=_lines(body.ajouter),
            remove=body.retirer,
            answer=body.reponse,
            buttons=_buttons(body.boutons) if body.boutons is not None else None,
            root=root,
            session=session,
        )

    try:
        outcome, changes = _write_or_preview(bench, config, run, write)
    except (WriterError, TrainingDataError, ValueError) as error:
        raise _writer_error(error) from None
    said = labels(bench.registry())
    summary = previews.edit_summary(
        label=said.get(intention, intention),
        added=list(outcome.examples),
        removed=list(body.retirer),
        answer=body.reponse,
        buttons=_button_labels(body.boutons, said) if body.boutons is not None else None,
    )
    message = "Modifications enregistrées." if write else PREVIEW_ONLY
    return Written(intention=intention, fichiers=changes, ecrit=write, message=message, resume=summary)


# --- background jobs: check, report, model ---


def job_view(job: Job | None) -> JobView | None:
    if job is None:
        return None
    return JobView(
        numero=job.number,
        etat=job.state,
        lance_par=job.started_by,
        lance_le=job.started_at,
        fini_le=job.finished_at,
        etape=job.step,
        etapes=job.steps,
        etape_libelle=job.step_label,
        pourcentage=job.percent,
        message=job.message,
        lignes=list(job.lines[-40:]),
        resultat=job.result,
    )


def start_job(
    kind: JobKind, agent: AgentIdentity, config: WebConfig, bench: Workbench, action: AgentAction, busy: str
) -> JobStatus:
    """Start the data check or the report in the background (409 with ``busy`` while one runs); audited."""
    if kind == "verification":
        work = check_work(bench.root, bench.rasa, (config.settings.reset_url_base,))
    else:
        work = report_work(bench.report_command)
    job, started = bench.jobs.start(kind, agent.login, work)
    if not started:
        raise ConsoleError(409, busy)
    with session_scope(config.engine) as session:
        audit.record(session, agent.login, action, tache=job.number)
    return JobStatus(tache=job_view(job), dernier_rapport=latest_report_of(bench))
