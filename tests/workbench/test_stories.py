"""A real conversation saved as a test story: steps as Rasa reads them, numbers masked."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from bot.agents.audit import entries
from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason, ReviewDecisionKind
from bot.handoffs.queue import open_handoff
from bot.rules.conversation_refs import ConversationRefs
from bot.workbench.decisions import decide
from bot.workbench.stories import (
    StoryError,
    honesty_of,
    save_story,
    story_from_conversation,
    story_from_handoff,
)
from bot.workbench.story_steps import answers_of
from tests.conftest import load_yaml
from tests.workbench.conftest import Conversation

REFS = ConversationRefs("clé-de-test-des-références")


def test_a_conversation_becomes_a_story_with_slots_loops_and_masked_numbers(tracker: Engine) -> None:
    conv = Conversation(tracker, "conv-s")
    conv.action("action_session_start")
    conv.action("action_listen")
    conv.user("j'ai oublié mon code", "forgot_access_code", 0.98)
    conv.action("action_ask_reset_wanted")
    conv.action("reset_form")
    conv.loop("reset_form")
    conv.slot("requested_slot", "nir")
    conv.user("1 84 05 75 123 456 78", "provide_nir", 0.99)
    conv.slot("nir", "[NIR masqué]")
    conv.loop(None)
    text = story_from_conversation(tracker, "conv-s").text
    assert "123 456" not in text
    story = load_yaml_text(text)["stories"][0]
    assert story["steps"] == [
        {"user": "j'ai oublié mon code\n", "intent": "forgot_access_code"},
        {"action": "action_ask_reset_wanted"},
        {"action": "reset_form"},
        {"active_loop": "reset_form"},
        {"slot_was_set": [{"requested_slot": "nir"}]},
        {"user": "[NIR masqué]\n", "intent": "provide_nir"},
        {"slot_was_set": [{"nir": "[NIR masqué]"}]},
        {"active_loop": None},
    ]


def load_yaml_text(text: str) -> dict[str, Any]:
    from ruamel.yaml import YAML

    return YAML(typ="safe").load(text)  # type: ignore[no-any-return]


def test_a_handoff_without_events_uses_its_transcript_and_is_saved(tracker: Engine, repo: Path) -> None:
    with session_scope(tracker) as session:
        handoff = open_handoff(
            session,
            conversation_id="conv-h",
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Motif : test",
            transcript=[
                {"qui": "adherent", "texte": "mon code 482913 ne marche pas"},
                {"qui": "sesame", "texte": "Je vous mets en relation avec un conseiller."},
            ],
            now=dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc),
        )
        session.flush()
        text = story_from_handoff(session, tracker, handoff.id).text
        path = save_story(text, reviewer="marie", root=repo, session=session, day=dt.date(2026, 12, 1))
        assert [e.action for e in entries(session)] == ["test_story_saved"]
    assert "482913" not in text
    assert path == repo / "tests/stories/test_saved_2026_12_01_1.yml"
    story = load_yaml(path)["stories"][0]
    assert story["steps"] == [
        {"user": "mon code [code masqué] ne marche pas\n"},
        {"bot": "Je vous mets en relation avec un conseiller."},
    ]
    assert save_story(text, reviewer="marie", root=repo, day=dt.date(2026, 12, 1)).name.endswith("_2.yml")


def test_nothing_recorded_is_said_in_french(tracker: Engine) -> None:
    with pytest.raises(StoryError, match="Aucun message"):
        story_from_conversation(tracker, "inconnue")


# --- honest stories (issue #22) ---

LABELS = {"how_to_login": "Comment me connecter", "ask_website": "L'adresse du site", "greet": "Bonjour"}


def test_a_story_leaves_out_the_automatic_greeting_and_keeps_the_trainers_decision(
    tracker: Engine, repo: Path
) -> None:
    # The walk of the issue: the widget's own « Bonjour », then a message Sésame answered with the
    # site's address, which the trainer moved to « how_to_login » in the inbox.
    conv = Conversation(tracker, "conv-d")
    conv.user("Bonjour", "greet", 0.99, automatic=True)
    conv.action("utter_greet")
    conv.action("action_listen")
    wrong = conv.user("mon espace me dit identifiants invalides", "ask_website", 0.8)
    conv.action("utter_ask_website")
    conv.action("action_listen")
    with session_scope(tracker) as session:
        decide(
            session,
            tracker,
            conversation_id="conv-d",
            event_id=wrong,
            decision=ReviewDecisionKind.MOVED,
            target="how_to_login",
            reviewer="fanny",
            refs=REFS,
            root=repo,
        )
        honest = honesty_of(session, repo, LABELS, "conv-d")
    made = story_from_conversation(tracker, "conv-d", honesty=honest)
    steps = load_yaml_text(made.text)["stories"][0]["steps"]
    assert steps == [
        {"user": "mon espace me dit identifiants invalides\n", "intent": "how_to_login"},
        {"action": answers_of(repo)["how_to_login"]},
    ]
    assert "Bonjour" not in made.text and "utter_greet" not in made.text
    assert made.notes[0].startswith("Le « Bonjour » que le widget envoie tout seul")
    assert "« Comment me connecter », comme décidé dans la boîte de revue par fanny" in made.notes[1]
    assert "« L'adresse du site »" in made.notes[1]
    assert made.warnings == []
    # Without the decisions (as before): the bot's guess at the time, and no note.
    assert "intent: ask_website" in story_from_conversation(tracker, "conv-d").text


def test_a_message_not_understood_and_not_decided_is_a_warning(tracker: Engine, repo: Path) -> None:
    conv = Conversation(tracker, "conv-f")
    conv.user("zorglub flarn", "nlu_fallback", 0.2)
    conv.action("action_two_stage_fallback")
    with session_scope(tracker) as session:
        made = story_from_conversation(tracker, "conv-f", honesty=honesty_of(session, repo, LABELS, "conv-f"))
    (warning,) = made.warnings
    assert warning.startswith("Passage 1, « zorglub flarn » : Sésame n'avait pas compris")
