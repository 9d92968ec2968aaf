"""A trainer's decision about an inbox message: accept, move to an intent, out of scope, discard.

One decision per message (tracker event within its conversation): asking again
returns the first decision, and writes nothing more. The text decided on is read
from the tracker store, never from the page, and masked again. Accepted and moved
messages, and those out of scope, become training examples of their intent, in the
file of its topic, under a comment with the date and the reviewer
(``bot.workbench.training_data``); a message holding a number that may be secret,
even masked, is refused with a French reason and nothing is written. Every
decision and every change of the training data is in the agents' audit log
(never the text itself: the log holds no typed question).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction, ReviewDecisionKind
from bot.db.models import ReviewDecision, utcnow
from bot.dialogue.intents import REGISTRY
from bot.rules.conversation_refs import ConversationRefs
from bot.settings import PROJECT_ROOT
from bot.shared.patterns import redact
from bot.training.similarity import copy_key
from bot.workbench import tracker
from bot.workbench.training_data import (
    NOT_AN_EXAMPLE,
    SECRET_INTENTS,
    TrainingDataError,
    add_examples,
    secret_refusal,
)

OUT_OF_SCOPE = "out_of_scope"
DECISION_LABELS = {
    ReviewDecisionKind.ACCEPTED: "Acceptée",
    ReviewDecisionKind.MOVED: "Déplacée",
    ReviewDecisionKind.OUT_OF_SCOPE: "Hors sujet",
    ReviewDecisionKind.DISCARDED: "Écartée",
}


class DecisionRefused(TrainingDataError):
    """The decision cannot be taken (a secret, an unknown intent…); the message says why, in French."""


@dataclass(frozen=True)
class DecisionOutcome:
    decision: ReviewDecision
    already_decided: bool  # an earlier decision stands; nothing was written this time
    written_to: Path | None  # the NLU file the example went into


def trainable_intents() -> tuple[str, ...]:
    """The intents a trainer may give an example to (not the fallback, not the generated secrets)."""
    return tuple(n for n in REGISTRY.names if n not in SECRET_INTENTS and n not in NOT_AN_EXAMPLE)


def resolve_intent(name_or_label: str) -> str:
    """An intent from its name or its French label (case and accents ignored)."""
    wanted = name_or_label.strip()
    if wanted in trainable_intents():
        return wanted
    key = copy_key(wanted)
    for name, label in REGISTRY.labels.items():
        if copy_key(label) == key and name in trainable_intents():
            return name
    raise DecisionRefused(
        f"« {wanted} » n'est ni le libellé ni le nom d'une intention à laquelle ajouter un exemple."
    )


def existing_decision(session: Session, conversation_id: str, event_id: int) -> ReviewDecision | None:
    return session.scalars(
        select(ReviewDecision).where(
            ReviewDecision.conversation_id == conversation_id, ReviewDecision.event_id == event_id
        )
    ).first()


def decide(
    session: Session,
    tracker_engine: Engine,
    *,
    conversation_id: str,
    event_id: int,
    decision: ReviewDecisionKind | str,
    reviewer: str,
    refs: ConversationRefs,
    target: str | None = None,
    root: Path = PROJECT_ROOT,
    now: dt.datetime | None = None,
) -> DecisionOutcome:
    """Take (or find) the decision about one inbox message; see the module's docstring.

    ``target`` is the intent (name or French label) for ``moved``; ``accepted`` takes
    the classifier's best guess. Raises ``DecisionRefused`` (nothing written, nothing stored).
    """
    kind = ReviewDecisionKind(decision)
    earlier = existing_decision(session, conversation_id, event_id)
    if earlier is not None:
        return DecisionOutcome(earlier, True, None)
    message = tracker.event(tracker_engine, conversation_id, event_id)
    if message is None or message.type_name != "user":
        raise DecisionRefused("Ce message n'existe pas (ou plus) dans les conversations enregistrées.")
    text = redact(" ".join(message.text.split()))
    intent: str | None = None
    if kind is ReviewDecisionKind.ACCEPTED:
        intent = message.guess()[0]
        if intent is None or intent not in trainable_intents():
            raise DecisionRefused(
                "Le bot n'a proposé aucune intention pour ce message : choisissez-en une (« Déplacer »)."
            )
    elif kind is ReviewDecisionKind.MOVED:
        if not target:
            raise DecisionRefused("Choisissez l'intention vers laquelle déplacer ce message.")
        intent = resolve_intent(target)
    elif kind is ReviewDecisionKind.OUT_OF_SCOPE:
        intent = OUT_OF_SCOPE
    written_to = None
    if intent is not None:
        refusal = secret_refusal(message.text) or secret_refusal(text)
        if refusal:
            raise DecisionRefused(refusal)
        try:
            added = add_examples(intent, [text], reviewer=reviewer, root=root, when=(now or utcnow()).date())
        except DecisionRefused:
            raise
        except TrainingDataError as error:
            raise DecisionRefused(str(error)) from error
        written_to = added.path
    stored = ReviewDecision(
        event_id=event_id,
        conversation_id=conversation_id,
        decision=kind,
        target_intent=intent,
        reviewer=reviewer,
        decided_at=now or utcnow(),
        text=text,
    )
    session.add(stored)
    record(
        session,
        reviewer,
        AgentAction.REVIEW_DECIDED,
        now=now,
        decision=kind.value,
        intent=intent,
        conversation=refs.of(conversation_id),  # the audit log is read by staff: never the id
        event=event_id,
    )
    if written_to is not None:
        record(
            session,
            reviewer,
            AgentAction.TRAINING_DATA_CHANGED,
            now=now,
            file=str(written_to.relative_to(root)),
            intent=intent,
            examples_added=1,
        )
    session.flush()
    return DecisionOutcome(stored, False, written_to)


def decisions(session: Session, *, reviewer: str | None = None, limit: int = 100) -> list[ReviewDecision]:
    """The latest decisions, newest first."""
    query = select(ReviewDecision).order_by(ReviewDecision.decided_at.desc(), ReviewDecision.id.desc())
    if reviewer is not None:
        query = query.where(ReviewDecision.reviewer == reviewer)
    return list(session.scalars(query.limit(limit)))
