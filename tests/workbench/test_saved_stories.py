"""Saved test stories: what contradicts a decision or the data is said, a turn is removed or given
another question (with today's answer), a story is deleted; each change audited (issue #22).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.agents.audit import entries
from bot.db.engine import session_scope
from bot.db.enums import ReviewDecisionKind
from bot.db.models import ReviewDecision
from bot.training.similarity import copy_key
from bot.workbench.saved_stories import StoryMissing, delete_saved, edit_saved, saved_stories
from bot.workbench.stories import Honesty, StoryError, honesty_of, save_story
from bot.workbench.story_steps import answers_of, story_yaml
from tests.conftest import load_yaml

LABELS = {"how_to_login": "Comment me connecter", "ask_website": "L'adresse du site"}
MISTAKEN = "mon espace me dit identifiants invalides"
# The trap of the issue: the bot's answer at the time, kept in the story.
TRAP: list[dict[str, object]] = [
    {"user": MISTAKEN, "intent": "ask_website"},
    {"action": "utter_ask_website"},
    {"user": "merci", "intent": "thank"},
    {"action": "utter_thank"},
]


def _saved(repo: Path, steps: list[dict[str, object]] = TRAP) -> str:
    path = save_story(
        story_yaml("Conversation réelle", steps), reviewer="fanny", root=repo, day=dt.date(2026, 12, 1)
    )
    return path.name


def _moved_in_the_inbox(engine: Engine) -> None:
    with session_scope(engine) as session:
        session.add(
            ReviewDecision(
                event_id=7,
                conversation_id="conv-x",
                decision=ReviewDecisionKind.MOVED,
                target_intent="how_to_login",
                reviewer="fanny",
                decided_at=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc),
                text=MISTAKEN,
            )
        )


def test_a_saved_story_that_contradicts_a_decision_is_said_then_corrected_and_audited(
    engine: Engine, repo: Path
) -> None:
    name = _saved(repo)
    _moved_in_the_inbox(engine)
    with session_scope(engine) as session:
        honest = honesty_of(session, repo, LABELS)
        (story,) = saved_stories(repo, honest)
        assert story.file == f"tests/stories/{name}"
        assert [t.text for t in story.turns] == [MISTAKEN, "merci"]
        (warning,) = story.warnings
        assert warning == (
            f"Passage 1, « {MISTAKEN} » : l'histoire attend « L'adresse du site », mais ce message a été "
            "rangé dans « Comment me connecter » dans la boîte de revue."
        )
        edited, done = edit_saved(
            repo, name, intents={1: "how_to_login"}, reviewer="fanny", honesty=honest, session=session
        )
        assert done == [
            "Passage 1 : « Comment me connecter », avec la réponse que Sésame y donne aujourd'hui."
        ]
        assert edited.warnings == []
        actions = [(e.actor, e.action, e.detail) for e in entries(session)]
    assert actions == [
        (
            "fanny",
            "test_story_edited",
            {"file": f"tests/stories/{name}", "turns_removed": 0, "intents_changed": 1},
        )
    ]
    steps = load_yaml(repo / "tests" / "stories" / name)["stories"][0]["steps"]
    assert steps[:2] == [
        {"user": f"{MISTAKEN}\n", "intent": "how_to_login"},
        {"action": answers_of(repo)["how_to_login"]},
    ]


def test_an_example_of_another_intent_and_a_changed_answer_are_said(repo: Path) -> None:
    honest = Honesty(
        answers=answers_of(repo),
        labels=LABELS,
        owners={copy_key("Comment me connecter ?"): "how_to_login"},
        known=frozenset({"how_to_login", "ask_website", "thank"}),
    )
    name = _saved(
        repo,
        [
            {"user": "comment me connecter", "intent": "ask_website"},
            {"action": "utter_ask_website"},
            {"user": "ou est le site", "intent": "ask_website"},
            {"action": "utter_goodbye"},
        ],
    )
    first, second = saved_stories(repo, honest)[0].warnings
    assert "c'est un exemple de « Comment me connecter » dans les données d'entraînement" in first
    assert second.startswith("Passage 2, « ou est le site » : aujourd'hui Sésame répond autrement")
    assert name


def test_a_turn_is_removed_but_never_the_last_and_a_story_is_deleted(engine: Engine, repo: Path) -> None:
    name = _saved(repo)
    honest = Honesty(labels=LABELS, known=frozenset({"how_to_login", "ask_website", "thank"}))
    with session_scope(engine) as session:
        with pytest.raises(StoryError, match="Il ne resterait aucun passage"):
            edit_saved(repo, name, remove={1, 2}, reviewer="fanny", honesty=honest)
        with pytest.raises(StoryError, match="pas de passage 3"):
            edit_saved(repo, name, remove={3}, reviewer="fanny", honesty=honest)
        with pytest.raises(StoryError, match="Choisissez la question dans la liste"):
            edit_saved(repo, name, intents={1: "provide_nir"}, reviewer="fanny", honesty=honest)
        story, done = edit_saved(repo, name, remove={1}, reviewer="fanny", honesty=honest, session=session)
        assert [t.text for t in story.turns] == ["merci"] and done == ["Passage retiré : 1."]
        assert delete_saved(repo, name, reviewer="fanny", session=session) == f"tests/stories/{name}"
        assert sorted(e.action for e in entries(session)) == ["test_story_deleted", "test_story_edited"]
    assert not (repo / "tests" / "stories" / name).exists()
    for wrong in (name, "../../intents.yml", "test_flow.yml"):  # gone; not a name; not a saved story
        with pytest.raises(StoryMissing):
            delete_saved(repo, wrong, reviewer="fanny")
    assert (repo / "intents.yml").exists() and (repo / "tests" / "stories" / "test_flow.yml").exists()
