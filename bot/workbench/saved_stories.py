"""The test stories saved from the workbench: listed with their warnings, edited, deleted.

A saved story (``tests/stories/test_saved_<date>_<n>.yml``, ``bot.workbench.stories``)
fails in every report once it contradicts what trainers decided since, or the data of
today (issue #22: a story kept the bot's mistaken answer and nothing said so). The
workbench shows each one turn by turn, in French, with what contradicts a decision or the
data (``stories.turn_warnings``), and lets a trainer remove a turn, give a turn another
intent (with today's answer to it: ``story_steps.retarget``), or delete the story. Only
those files: the stories written by developers and by a new question are not touched
here. Every change is in the agents' audit log, with the file's name.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError
from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction
from bot.workbench.stories import STORIES_DIR, Honesty, StoryError, turn_warnings
from bot.workbench.story_steps import Step, Turn, join_turns, retarget, split_turns, story_yaml
from bot.workbench.training_data import NOT_AN_EXAMPLE, SECRET_INTENTS

SAVED_NAME = re.compile(r"^test_saved_\d{4}_\d{2}_\d{2}_\d{1,4}\.yml$")
ANSWERED = ", avec la réponse que Sésame y donne aujourd'hui."
UNKNOWN_STORY = "Cette histoire de test n'existe pas (ou plus)."


class StoryMissing(StoryError):
    """The saved story named does not exist (404)."""


@dataclass
class SavedStory:
    """One saved story: its file (relative to the root), title, turns, and what contradicts today."""

    file: str
    title: str
    head: list[Step]
    turns: list[Turn]
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return story_yaml(self.title, join_turns(self.head, self.turns))


def saved_path(root: Path, name: str) -> Path:
    """The file of a saved story, by its name only (never a path: nothing outside tests/stories/)."""
    if not SAVED_NAME.fullmatch(name):
        raise StoryMissing(UNKNOWN_STORY)
    path = root / STORIES_DIR / name
    if not path.is_file():
        raise StoryMissing(UNKNOWN_STORY)
    return path


def story_of_text(text: str, file: str, honesty: Honesty) -> SavedStory:
    """A story file's one story, turn by turn, with its warnings (``file``: its path, to name it)."""
    name = file.rsplit("/", 1)[-1]
    try:
        data: Any = YAML(typ="safe").load(text) or {}
    except YAMLError:
        raise StoryError(f"L'histoire {name} est illisible : un développeur doit la corriger.") from None
    stories = data.get("stories") if isinstance(data, dict) else None
    if not isinstance(stories, list) or len(stories) != 1 or not isinstance(stories[0], dict):
        raise StoryError(f"{name} ne contient pas une seule histoire : elle se modifie à la main.")
    story = stories[0]
    head, turns = split_turns([s for s in story.get("steps") or [] if isinstance(s, dict)])
    return SavedStory(file, str(story.get("story") or name), head, turns, turn_warnings(turns, honesty))


def read_saved(root: Path, name: str, honesty: Honesty) -> SavedStory:
    path = saved_path(root, name)
    return story_of_text(path.read_text(encoding="utf-8"), path.relative_to(root).as_posix(), honesty)


def saved_stories(root: Path, honesty: Honesty) -> list[SavedStory]:
    """Every saved story, newest first (an unreadable one is listed with its problem)."""
    found: list[SavedStory] = []
    paths = sorted((root / STORIES_DIR).glob("test_saved_*.yml"), key=_order, reverse=True)
    for path in paths:
        if not SAVED_NAME.fullmatch(path.name):
            continue
        try:
            found.append(read_saved(root, path.name, honesty))
        except StoryError as error:
            found.append(SavedStory(path.relative_to(root).as_posix(), path.name, [], [], [str(error)]))
    return found


def _order(path: Path) -> tuple[str, int]:
    stem = path.stem.removeprefix("test_saved_")
    day, _, number = stem.rpartition("_")
    return day, int(number) if number.isdigit() else 0


def edit_saved(
    root: Path,
    name: str,
    *,
    remove: Collection[int] = (),
    intents: Mapping[int, str] | None = None,
    reviewer: str,
    honesty: Honesty,
    session: Session | None = None,
) -> tuple[SavedStory, list[str]]:
    """Remove turns (numbered from 1) and give others an intent; the story written again, and what
    was done, in French. Audited if ``session``.
    """
    story = read_saved(root, name, honesty)
    intents = dict(intents or {})
    numbers = set(range(1, len(story.turns) + 1))
    unknown = sorted((set(remove) | set(intents)) - numbers)
    if unknown:
        raise StoryError(f"Cette histoire n'a pas de passage {unknown[0]} : rechargez la page.")
    allowed = honesty.known - SECRET_INTENTS - NOT_AN_EXAMPLE
    for intent in intents.values():
        if intent not in allowed:
            raise StoryError("Choisissez la question dans la liste.")
    if numbers and set(remove) >= numbers:
        raise StoryError("Il ne resterait aucun passage : supprimez plutôt l'histoire.")
    done: list[str] = []
    for number, intent in sorted(intents.items()):
        turn = story.turns[number - 1]
        if number in remove or intent == turn.intent:
            continue
        answered = retarget(turn, intent, honesty.answers)
        done.append(
            f"Passage {number} : « {honesty.label(intent)} »"
            + (ANSWERED if answered else " (suite gardée telle quelle).")
        )
    if remove:
        done.append(
            ("Passage retiré : " if len(remove) == 1 else "Passages retirés : ")
            + ", ".join(str(n) for n in sorted(remove))
            + "."
        )
    story.turns = [t for n, t in enumerate(story.turns, start=1) if n not in remove]
    if not done:
        raise StoryError("Rien à modifier : cochez un passage à retirer ou choisissez une autre question.")
    (root / story.file).write_text(story.text, encoding="utf-8")
    story.warnings = turn_warnings(story.turns, honesty)
    if session is not None:
        record(
            session,
            reviewer,
            AgentAction.TEST_STORY_EDITED,
            file=story.file,
            turns_removed=len(remove),
            intents_changed=len(intents),
        )
    return story, done


def delete_saved(root: Path, name: str, *, reviewer: str, session: Session | None = None) -> str:
    """Delete a saved story; its file's name, relative to the root. Audited if ``session``."""
    path = saved_path(root, name)
    relative = path.relative_to(root).as_posix()
    path.unlink()
    if session is not None:
        record(session, reviewer, AgentAction.TEST_STORY_DELETED, file=relative)
    return relative
