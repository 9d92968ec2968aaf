"""The review inbox: which member messages, why, masked again, filtered and paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason, ReviewDecisionKind
from bot.db.models import ReviewDecision
from bot.handoffs.queue import open_handoff
from bot.rules.conversation_refs import ConversationRefs
from bot.workbench.flags import flag_conversation
from bot.workbench.inbox import FALLBACK, FLAGGED, HANDOFF, LOW_CONFIDENCE, InboxFilters, collect, inbox
from tests.workbench.conftest import DAY, Conversation

NIR_TEXT = "mon numero est le 1 84 05 75 123 456 78 voila"


@pytest.fixture
def conversations(tracker: Engine) -> dict[str, int]:
    ids = {}
    a = Conversation(tracker, "conv-a")
    ids["greet"] = a.user("bonjour", "greet", 0.97)
    a.action("utter_greet")
    ids["fallback"] = a.user(
        "le truc de la chose marche pas",
        "nlu_fallback",
        0.41,
        [("nlu_fallback", 0.45), ("cannot_login", 0.41), ("how_to_login", 0.2)],
    )
    a.action("action_two_stage_fallback")
    a.loop("action_two_stage_fallback")
    # Stored unmasked by some accident: the inbox masks it again.
    ids["nir"] = a.user(NIR_TEXT, "provide_nir", 0.52)
    a.action("action_take_volunteered_nir")
    b = Conversation(tracker, "conv-b", DAY + dt.timedelta(days=1))
    ids["human"] = b.user("je veux quelqu'un de vrai", "request_human", 0.93)
    b.action("action_request_human")
    c = Conversation(tracker, "conv-c", DAY + dt.timedelta(days=2))
    ids["before_handoff"] = c.user("ok ça marche", "affirm", 0.99)
    c.action("utter_affirm_without_context")
    d = Conversation(tracker, "conv-d", DAY + dt.timedelta(days=3))
    ids["flagged"] = d.user("merci beaucoup", "thank", 0.99)
    d.action("utter_thank")
    with session_scope(tracker) as session:
        open_handoff(
            session,
            conversation_id="conv-c",
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Motif : test",
            transcript=[],
            now=DAY + dt.timedelta(days=2, minutes=5),
        )
        flag_conversation(session, "conv-d", "agent1", "réponse bizarre", refs=ConversationRefs("test"))
    return ids


def test_the_inbox_keeps_fallbacks_low_confidence_handoffs_and_flags(
    tracker: Engine, conversations: dict[str, int]
) -> None:
    with session_scope(tracker) as session:
        items = {item.id: item for item in collect(tracker, session)}
    assert conversations["greet"] not in items
    assert items[conversations["fallback"]].reasons == (FALLBACK, LOW_CONFIDENCE)
    # The classifier's best real guess, with its French label, even under the fallback.
    assert items[conversations["fallback"]].intent == "cannot_login"
    assert items[conversations["fallback"]].intent_label == "Je n'arrive pas à me connecter"
    assert items[conversations["nir"]].reasons == (LOW_CONFIDENCE,)
    assert items[conversations["human"]].reasons == (HANDOFF,)
    assert items[conversations["before_handoff"]].reasons == (HANDOFF,)
    assert items[conversations["flagged"]].reasons == (FLAGGED,)
    # Newest first.
    assert list(items) == sorted(items, key=lambda i: items[i].at, reverse=True)


def test_a_stored_nir_is_masked_again_when_shown(tracker: Engine, conversations: dict[str, int]) -> None:
    with session_scope(tracker) as session:
        (item,) = [i for i in collect(tracker, session) if i.id == conversations["nir"]]
    assert item.text == "mon numero est le [NIR masqué] voila"
    assert "123" not in item.text


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (InboxFilters(reason=HANDOFF), {"human", "before_handoff"}),
        (InboxFilters(intent="request_human"), {"human"}),
        (InboxFilters(min_confidence=0.4, max_confidence=0.6), {"fallback", "nir"}),
        (
            InboxFilters(since=DAY.date() + dt.timedelta(days=1), until=DAY.date() + dt.timedelta(days=3)),
            {"human", "before_handoff"},
        ),
    ],
)
def test_filters(
    tracker: Engine, conversations: dict[str, int], filters: InboxFilters, expected: set[str]
) -> None:
    names = {v: k for k, v in conversations.items()}
    with session_scope(tracker) as session:
        found = {names[i.id] for i in collect(tracker, session, filters)}
    assert found == expected


def test_undecided_only_and_pages(tracker: Engine, conversations: dict[str, int]) -> None:
    with session_scope(tracker) as session:
        session.add(
            ReviewDecision(
                event_id=conversations["human"],
                conversation_id="conv-b",
                decision=ReviewDecisionKind.ACCEPTED,
                target_intent="request_human",
                reviewer="form1",
                decided_at=DAY,
                text="je veux quelqu'un de vrai",
            )
        )
    with session_scope(tracker) as session:
        everything = collect(tracker, session)
        decided = [i for i in everything if i.decided]
        assert [i.id for i in decided] == [conversations["human"]] and decided[0].decision == "accepted"
        undecided = collect(tracker, session, InboxFilters(undecided_only=True))
        assert conversations["human"] not in {i.id for i in undecided}
        first = inbox(tracker, session, per_page=2)
        second = inbox(tracker, session, page=2, per_page=2)
        third = inbox(tracker, session, page=3, per_page=2)
    assert first.total == len(everything) == 5 and first.pages == 3
    assert [i.id for i in first.items + second.items + third.items] == [i.id for i in everything]
