"""Save a real conversation as a test story (Rasa's end-to-end format, as in ``tests/stories/``).

From the tracker store: each member message with its intent and its text, masked
again (``- user: |`` then ``intent:``, and its entities other than secrets), the
bot's actions, the slots set (``slot_was_set``; a secret slot's value is its mask)
and the forms (``active_loop``). From a hand-off without tracker events: its
masked transcript, the member's lines as ``user`` steps and Sésame's as ``bot``
steps (the agent's words are left out: they are not the bot's).

Numbers stay masked: a story with « [NIR masqué] » shows what happened; to replay a
number, replace the mask by a fictitious one (``tests/support/nirs.py``). The text
is returned for a preview, and written to ``tests/stories/test_saved_<date>_<n>.yml``
by ``save_story``.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction
from bot.db.models import Handoff
from bot.settings import PROJECT_ROOT
from bot.shared.patterns import redact
from bot.shared.redaction import SECRET_MASKS
from bot.workbench.tracker import TrackerEvent, conversation_events

STORIES_DIR = Path("tests") / "stories"
SKIPPED_ACTIONS = frozenset({"action_listen", "action_session_start"})
STORY_TYPES = ("user", "action", "slot", "active_loop", "session_started", "restart")
HEADER = (
    "# Sésame — une vraie conversation, enregistrée comme histoire de test depuis l'atelier\n"
    "# (bot/workbench/stories.py). Les numéros sont masqués : pour rejouer un numéro,\n"
    "# remplacez le masque par un numéro FICTIF (tests/support/nirs.py).\n"
)


class StoryError(ValueError):
    """No story can be made (nothing recorded for that conversation); the message is French."""


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return _quoted(redact(str(value)))


def _user_step(event: TrackerEvent) -> list[str]:
    text = " ".join(redact(event.text).split()) or "(message vide)"
    lines = ["  - user: |", f"      {text}"]
    intent = event.top_intent
    if intent:
        lines.append(f"    intent: {intent}")
    entities = [
        e for e in event.entities if e.get("entity") not in SECRET_MASKS and e.get("value") is not None
    ]
    if entities:
        lines.append("    entities:")
        lines += [f"    - {e['entity']}: {_scalar(e['value'])}" for e in entities]
    return lines


def steps_from_events(events: Iterable[TrackerEvent]) -> list[str]:
    """The story's steps (YAML lines) for the events of one conversation, oldest first."""
    lines: list[str] = []
    for event in events:
        if event.type_name in ("session_started", "restart"):
            continue
        if event.type_name == "user":
            lines += _user_step(event)
        elif event.type_name == "action" and event.action and event.action not in SKIPPED_ACTIONS:
            lines.append(f"  - action: {event.action}")
        elif event.type_name == "slot":
            name = str(event.data.get("name") or "")
            if not name:
                continue
            value = event.data.get("value")
            if name in SECRET_MASKS and value is not None:
                value = SECRET_MASKS[name]
            lines += ["  - slot_was_set:", f"    - {name}: {_scalar(value)}"]
        elif event.type_name == "active_loop":
            loop = event.data.get("name")
            lines.append(f"  - active_loop: {loop or 'null'}")
    return lines


def steps_from_transcript(transcript: Sequence[dict[str, str]]) -> list[str]:
    lines: list[str] = []
    for line in transcript:
        text = " ".join(redact(str(line.get("texte") or "")).split())
        if not text:
            continue
        if line.get("qui") == "adherent":
            lines += ["  - user: |", f"      {text}"]
        elif line.get("qui") == "sesame":
            lines.append(f"  - bot: {_quoted(text)}")
    return lines


def story_yaml(title: str, steps: Sequence[str], *, with_header: bool = True) -> str:
    """A whole test-story file (or, without header, one story to append)."""
    body = "\n".join([f"- story: {_quoted(title)}", "  steps:", *steps]) + "\n"
    if not with_header:
        return body
    return f'{HEADER}version: "3.1"\n\nstories:\n{body}'


def story_from_conversation(tracker: Engine, conversation_id: str, title: str | None = None) -> str:
    """The test story of a conversation of the tracker store, as text (for a preview)."""
    events = conversation_events(tracker, conversation_id, STORY_TYPES)
    if not any(e.type_name == "user" for e in events):
        raise StoryError("Aucun message d'adhérent n'est enregistré pour cette conversation.")
    day = events[0].at.date().isoformat()
    return story_yaml(title or f"Conversation réelle du {day}", steps_from_events(events))


def story_from_handoff(session: Session, tracker: Engine | None, handoff_id: int) -> str:
    """The test story of a hand-off: its conversation's events if stored, else its transcript."""
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        raise StoryError(f"Prise en charge {handoff_id} introuvable.")
    title = f"Passage à un conseiller du {handoff.created_at.date().isoformat()}"
    if tracker is not None:
        try:
            return story_from_conversation(tracker, handoff.conversation_id, title)
        except StoryError:
            pass
    steps = steps_from_transcript(handoff.transcript or [])
    if not steps:
        raise StoryError("La conversation de cette prise en charge est vide.")
    return story_yaml(title, steps)


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
