"""Save a real conversation as a test story (Rasa's end-to-end format, as in ``tests/stories/``).

From the tracker store: each member message with its intent and its text, masked
again (``- user: |`` then ``intent:``, and its entities other than secrets), the
bot's actions, the slots set (``slot_was_set``; a secret slot's value is its mask)
and the forms (``active_loop``). From a hand-off without tracker events: its
masked transcript, the member's lines as ``user`` steps and Sésame's as ``bot``
steps (the agent's words are left out: they are not the bot's).

Honest, not a recording of the bot's mistakes (issue #22): the widget's own greeting on
opening is left out (``tracker.is_automatic``: the member never typed it); a message a
trainer decided in the review inbox gets the intent decided, and today's answer to it
(``story_steps.retarget``), instead of the classifier's guess at the time; and what still
contradicts a decision or today's data (a message Sésame did not understand, an example
of another intent, an answer that changed) is said in French, turn by turn
(``turn_warnings``), in the preview and beside each saved story.

Numbers stay masked: a story with « [NIR masqué] » shows what happened; to replay a
number, replace the mask by a fictitious one (``tests/support/nirs.py``). The text
is returned for a preview, and written to ``tests/stories/test_saved_<date>_<n>.yml``
by ``save_story``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction
from bot.db.models import Handoff, ReviewDecision
from bot.dialogue.intents import load_registry
from bot.settings import PROJECT_ROOT
from bot.shared.patterns import redact
from bot.shared.redaction import SECRET_MASKS
from bot.training.similarity import copy_key
from bot.workbench.story_steps import Step, Turn, answers_of, join_turns, retarget, split_turns, story_yaml
from bot.workbench.tracker import FALLBACK_INTENT, TrackerEvent, conversation_events, is_automatic
from bot.workbench.training_data import owners

STORIES_DIR = Path("tests") / "stories"
SKIPPED_ACTIONS = frozenset({"action_listen", "action_session_start"})
STORY_TYPES = ("user", "action", "slot", "active_loop", "session_started", "restart")
GREETING_LEFT_OUT = (
    "Le « Bonjour » que le widget envoie tout seul à l'ouverture n'est pas repris : "
    "l'adhérent ne l'a pas tapé."
)


class StoryError(ValueError):
    """No story can be made (nothing recorded for that conversation); the message is French."""


@dataclass(frozen=True)
class MadeStory:
    """A story's text, what was done to keep it honest (``notes``), and what to look at (``warnings``)."""

    text: str
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Honesty:
    """What a story is checked against: the trainers' decisions and the data of today.

    ``decided``: tracker event id → (intent, reviewer) of this conversation's decisions;
    ``by_text``: a decided message's text (``copy_key``) → its intent, for any conversation.
    """

    answers: Mapping[str, str] = field(default_factory=dict)
    labels: Mapping[str, str] = field(default_factory=dict)
    decided: Mapping[int, tuple[str, str]] = field(default_factory=dict)
    by_text: Mapping[str, str] = field(default_factory=dict)
    owners: Mapping[str, str] = field(default_factory=dict)
    known: frozenset[str] = frozenset()

    def label(self, intent: str | None) -> str:
        return self.labels.get(intent or "", intent or "aucune")


def honesty_of(session: Session, root: Path, labels: Mapping[str, str], conversation_id: str = "") -> Honesty:
    """The decisions (of ``conversation_id`` by event, and of every message by text) and today's data."""
    decided: dict[int, tuple[str, str]] = {}
    by_text: dict[str, str] = {}
    query = (
        select(ReviewDecision)
        .where(ReviewDecision.target_intent.is_not(None))
        .order_by(ReviewDecision.decided_at, ReviewDecision.id)
    )
    for decision in session.scalars(query):
        intent = str(decision.target_intent)
        if decision.conversation_id == conversation_id:
            decided[decision.event_id] = (intent, decision.reviewer)
        if decision.text:
            by_text[copy_key(decision.text)] = intent
    return Honesty(
        answers=answers_of(root),
        labels=labels,
        decided=decided,
        by_text=by_text,
        owners=owners(root),
        known=frozenset(load_registry(root / "intents.yml").names),
    )


def _user_step(event: TrackerEvent) -> Step:
    step: Step = {"user": " ".join(redact(event.text).split()) or "(message vide)"}
    if event.top_intent:
        step["intent"] = event.top_intent
    entities = [
        {str(e["entity"]): e["value"]}
        for e in event.entities
        if e.get("entity") not in SECRET_MASKS and e.get("value") is not None
    ]
    if entities:
        step["entities"] = entities
    return step


def steps_from_events(events: Iterable[TrackerEvent]) -> tuple[list[Step], list[int], bool]:
    """The story's steps for one conversation's events, oldest first; the event id of each member
    message, in order; and whether the widget's automatic greeting was left out (with the bot's
    steps that answered it: they belong to a message the member never typed).
    """
    steps: list[Step] = []
    ids: list[int] = []
    skipping = greeting = False
    for event in events:
        if event.type_name in ("session_started", "restart"):
            continue
        if event.type_name == "user":
            skipping = is_automatic(event)
            greeting = greeting or skipping
            if not skipping:
                steps.append(_user_step(event))
                ids.append(event.id)
            continue
        if skipping:
            continue
        if event.type_name == "action" and event.action and event.action not in SKIPPED_ACTIONS:
            steps.append({"action": event.action})
        elif event.type_name == "slot":
            name = str(event.data.get("name") or "")
            if not name:
                continue
            value = event.data.get("value")
            if name in SECRET_MASKS and value is not None:
                value = SECRET_MASKS[name]
            steps.append({"slot_was_set": [{name: value}]})
        elif event.type_name == "active_loop":
            steps.append({"active_loop": event.data.get("name") or None})
    return steps, ids, greeting


def steps_from_transcript(transcript: Sequence[dict[str, str]]) -> list[Step]:
    steps: list[Step] = []
    for line in transcript:
        text = " ".join(redact(str(line.get("texte") or "")).split())
        if not text:
            continue
        if line.get("qui") == "adherent":
            steps.append({"user": text})
        elif line.get("qui") == "sesame":
            steps.append({"bot": text})
    return steps


def _quote(text: str) -> str:
    return f"« {text if len(text) <= 80 else text[:79].rstrip() + '…'} »"


def turn_warnings(turns: Sequence[Turn], honesty: Honesty) -> list[str]:
    """Where a story contradicts a trainer's decision or today's data, in French, turn by turn."""
    found: list[str] = []
    for number, turn in enumerate(turns, start=1):
        said, intent = f"Passage {number}, {_quote(turn.text)}", turn.intent
        if intent is None:
            continue
        key = copy_key(turn.text)
        decided, owner = honesty.by_text.get(key), honesty.owners.get(key)
        if honesty.known and intent not in honesty.known:
            found.append(
                f"{said} : la question attendue n'existe plus : choisissez-en une autre, ou retirez-le."
            )
        elif intent == FALLBACK_INTENT:
            found.append(
                f"{said} : Sésame n'avait pas compris ce message, et la boîte de revue ne dit pas ce qu'il "
                "voulait dire. Traitez-le d'abord dans la boîte de revue, choisissez sa question ici, ou "
                "retirez ce passage."
            )
        elif decided is not None and decided != intent:
            found.append(
                f"{said} : l'histoire attend « {honesty.label(intent)} », mais ce message a été rangé dans "
                f"« {honesty.label(decided)} » dans la boîte de revue."
            )
        elif owner is not None and owner != intent:
            found.append(
                f"{said} : l'histoire attend « {honesty.label(intent)} », mais c'est un exemple de "
                f"« {honesty.label(owner)} » dans les données d'entraînement."
            )
        elif not turn.in_form and intent in honesty.answers and turn.actions[:1] != [honesty.answers[intent]]:
            found.append(
                f"{said} : aujourd'hui Sésame répond autrement à « {honesty.label(intent)} » que ce que "
                "l'histoire attend. Choisissez à nouveau sa question pour reprendre la réponse "
                "d'aujourd'hui, ou retirez ce passage."
            )
    return found


def honest_story(title: str, steps: list[Step], ids: Sequence[int], honesty: Honesty) -> MadeStory:
    """The story with the intents the trainers decided (and today's answer to them), checked."""
    head, turns = split_turns(steps)
    notes: list[str] = []
    warnings: list[str] = []
    for number, (turn, event_id) in enumerate(zip(turns, ids, strict=True), start=1):
        decided = honesty.decided.get(event_id)
        if decided is None or decided[0] == turn.intent:
            continue
        guessed = turn.intent
        answered = retarget(turn, decided[0], honesty.answers)
        before = (
            "Sésame n'avait pas compris"
            if guessed in (None, FALLBACK_INTENT)
            else f"Sésame avait compris « {honesty.label(guessed)} »"
        )
        notes.append(
            f"Passage {number}, {_quote(turn.text)} : « {honesty.label(decided[0])} », comme décidé dans la "
            f"boîte de revue par {decided[1]} ({before})"
            + (", avec la réponse que Sésame y donne aujourd'hui." if answered else ".")
        )
        if not answered:
            warnings.append(
                f"Passage {number}, {_quote(turn.text)} : Sésame était au milieu d'une démarche ; la suite "
                "enregistrée est gardée telle quelle. Vérifiez-la, ou retirez ce passage."
            )
    warnings += turn_warnings(turns, honesty)
    return MadeStory(story_yaml(title, join_turns(head, turns)), notes, warnings)


def story_from_conversation(
    tracker: Engine, conversation_id: str, title: str | None = None, honesty: Honesty | None = None
) -> MadeStory:
    """The test story of a conversation of the tracker store (for a preview), checked against
    ``honesty`` when given: the trainers' decisions replace the classifier's guesses.
    """
    events = conversation_events(tracker, conversation_id, STORY_TYPES)
    steps, ids, greeting = steps_from_events(events)
    if not ids:
        raise StoryError("Aucun message d'adhérent n'est enregistré pour cette conversation.")
    day = events[0].at.date().isoformat()
    made = honest_story(title or f"Conversation réelle du {day}", steps, ids, honesty or Honesty())
    if greeting:
        made.notes.insert(0, GREETING_LEFT_OUT)
    return made


def story_from_handoff(
    session: Session,
    tracker: Engine | None,
    handoff_id: int,
    title: str | None = None,
    honesty_for: Callable[[str], Honesty] | None = None,
) -> MadeStory:
    """The test story of a hand-off: its conversation's events if stored, else its transcript.

    ``honesty_for(conversation_id)``: what to check the story against (``honesty_of``).
    """
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise StoryError(f"Prise en charge {handoff_id} introuvable.")
    title = title or f"Passage à un conseiller du {handoff.created_at.date().isoformat()}"
    if tracker is not None:
        try:
            honesty = honesty_for(handoff.conversation_id) if honesty_for else None
            return story_from_conversation(tracker, handoff.conversation_id, title, honesty)
        except StoryError:
            pass
    steps = steps_from_transcript(handoff.transcript or [])
    if not steps:
        raise StoryError("La conversation de cette prise en charge est vide.")
    return MadeStory(story_yaml(title, steps))


def next_story_path(root: Path = PROJECT_ROOT, day: dt.date | None = None) -> Path:
    day = day or dt.date.today()
    n = 1
    while (root / STORIES_DIR / f"test_saved_{day.isoformat().replace('-', '_')}_{n}.yml").exists():
        n += 1
    return root / STORIES_DIR / f"test_saved_{day.isoformat().replace('-', '_')}_{n}.yml"


def save_story(
    text: str,
    *,
    reviewer: str,
    root: Path = PROJECT_ROOT,
    session: Session | None = None,
    day: dt.date | None = None,
) -> Path:
    """Write a story made above to ``tests/stories/test_saved_<date>_<n>.yml``; audited if ``session``."""
    from ruamel.yaml import YAML

    data = YAML(typ="safe").load(text)
    if not isinstance(data, dict) or not data.get("stories"):
        raise StoryError("Ce texte n'est pas une histoire de test.")
    path = next_story_path(root, day)
    path.write_text(text, encoding="utf-8")
    if session is not None:
        record(session, reviewer, AgentAction.TEST_STORY_SAVED, file=str(path.relative_to(root)))
    return path
