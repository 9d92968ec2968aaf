"""Decisions about inbox messages: stored, audited, idempotent, written where they belong, secrets refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.agents.audit import entries
from bot.db.engine import session_scope
from bot.db.enums import ReviewDecisionKind
from bot.db.models import ReviewDecision
from bot.rules.conversation_refs import ConversationRefs
from bot.workbench import consistency
from bot.workbench.decisions import DecisionRefused, decide, resolve_intent
from bot.workbench.training_data import examples_in
from tests.workbench.conftest import Conversation

REFS = ConversationRefs("test-secret")


def test_accepting_writes_the_example_under_a_dated_comment_once(tracker: Engine, repo: Path) -> None:
    conv = Conversation(tracker, "conv-1")
    event = conv.user("je sais pas ou mettre mon code secret sur le site", "how_to_login", 0.42)
    before = (repo / "data/nlu/connexion.yml").read_text(encoding="utf-8")
    with session_scope(tracker) as session:
        outcome = decide(
            session,
            tracker,
            conversation_id="conv-1",
            event_id=event,
            decision="accepted",
            reviewer="marie",
            refs=REFS,
            root=repo,
        )
    assert outcome.written_to == repo / "data/nlu/connexion.yml" and not outcome.already_decided
    after = outcome.written_to.read_text(encoding="utf-8")
    assert after.startswith(before[:500])
    assert "# Atelier : ajouté le " in after and " par marie" in after
    assert (
        "je sais pas ou mettre mon code secret sur le site" in examples_in(outcome.written_to)["how_to_login"]
    )
    assert consistency.problems(repo) == []  # variantes.yml regenerated, nothing else broken
    with session_scope(tracker) as session:
        again = decide(
            session,
            tracker,
            conversation_id="conv-1",
            event_id=event,
            decision="discarded",
            reviewer="paul",
            refs=REFS,
            root=repo,
        )
        assert again.already_decided and again.decision.decision == ReviewDecisionKind.ACCEPTED
        assert session.scalar(select(func.count()).select_from(ReviewDecision)) == 1
        actions = [(e.actor, e.action) for e in entries(session)]
        decided = entries(session)[0].detail
    assert actions == [("marie", "review_decided"), ("marie", "training_data_changed")]
    assert decided["conversation"] == REFS.of("conv-1")  # the audit log, read by staff, names no id
    assert outcome.written_to.read_text(encoding="utf-8") == after


def test_moving_by_french_label_and_out_of_scope(tracker: Engine, repo: Path) -> None:
    conv = Conversation(tracker, "conv-2")
    moved = conv.user("g pas eu le mail pour changer le code", "postal_letter", 0.5)
    outside = conv.user("vous vendez des assurances auto", "how_to_login", 0.3)
    with session_scope(tracker) as session:
        first = decide(
            session,
            tracker,
            conversation_id="conv-2",
            event_id=moved,
            decision=ReviewDecisionKind.MOVED,
            target="je n'ai pas reçu l'e-mail de réinitialisation",
            reviewer="marie",
            refs=REFS,
            root=repo,
        )
        second = decide(
            session,
            tracker,
            conversation_id="conv-2",
            event_id=outside,
            decision="out_of_scope",
            reviewer="marie",
            refs=REFS,
            root=repo,
        )
    assert first.decision.target_intent == "email_not_received"
    assert first.written_to == repo / "data/nlu/courriers.yml"
    assert second.decision.target_intent == "out_of_scope"
    assert (
        "vous vendez des assurances auto" in examples_in(repo / "data/nlu/conversation.yml")["out_of_scope"]
    )
    assert consistency.problems(repo) == []


@pytest.mark.parametrize(
    "text",
    [
        "mon numero c'est [NIR masqué] merci",
        "mon code [code masqué] ne marche pas",
        "voici mon code 482913",
        "mon numero 1 84 05 75 123 456 78",
    ],
)
def test_a_message_with_a_number_is_refused_and_nothing_is_written(
    tracker: Engine, repo: Path, text: str
) -> None:
    conv = Conversation(tracker, "conv-3")
    event = conv.user(text, "forgot_access_code", 0.4)
    files = {p: p.read_text(encoding="utf-8") for p in (repo / "data/nlu").glob("*.yml")}
    with session_scope(tracker) as session:
        with pytest.raises(DecisionRefused, match="numéro"):
            decide(
                session,
                tracker,
                conversation_id="conv-3",
                event_id=event,
                decision="accepted",
                reviewer="marie",
                refs=REFS,
                root=repo,
            )
        assert session.scalar(select(func.count()).select_from(ReviewDecision)) == 0
    assert {p: p.read_text(encoding="utf-8") for p in files} == files


def test_discarding_writes_nothing_but_is_stored_masked(tracker: Engine, repo: Path) -> None:
    conv = Conversation(tracker, "conv-4")
    event = conv.user("test 1 84 05 75 123 456 78", "provide_nir", 0.99)
    files = {p: p.read_text(encoding="utf-8") for p in (repo / "data/nlu").glob("*.yml")}
    with session_scope(tracker) as session:
        outcome = decide(
            session,
            tracker,
            conversation_id="conv-4",
            event_id=event,
            decision="discarded",
            reviewer="marie",
            refs=REFS,
            root=repo,
        )
        assert outcome.written_to is None and outcome.decision.text == "test [NIR masqué]"
    assert {p: p.read_text(encoding="utf-8") for p in files} == files


def test_an_example_of_another_intent_cannot_be_moved(tracker: Engine, repo: Path) -> None:
    conv = Conversation(tracker, "conv-5")
    event = conv.user("bonjour", "greet", 0.4)
    with session_scope(tracker) as session, pytest.raises(DecisionRefused, match="déjà un exemple"):
        decide(
            session,
            tracker,
            conversation_id="conv-5",
            event_id=event,
            decision="moved",
            target="thank",
            reviewer="marie",
            refs=REFS,
            root=repo,
        )


def test_intents_are_found_by_label_or_name_never_the_secret_ones() -> None:
    assert resolve_intent("Parler à un conseiller") == "request_human"
    assert resolve_intent("  parler a un CONSEILLER ") == "request_human"
    assert resolve_intent("goodbye") == "goodbye"
    for name in ("provide_nir", "nlu_fallback", "inconnue"):
        with pytest.raises(DecisionRefused):
            resolve_intent(name)
