"""The review inbox: which member messages, why, masked again, filtered and paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason, ReviewDecisionKind
from bot.db.models import AnswerFeedback, ReviewDecision
from bot.handoffs.queue import open_handoff
from bot.rules.conversation_refs import ConversationRefs
from bot.workbench.flags import flag_conversation
from bot.workbench.inbox import (
    AGENT_AFTER,
    DENIED,
    FALLBACK,
    FLAGGED,
    HANDOFF,
    LOW_CONFIDENCE,
    NOT_HELPFUL,
    REPHRASED,
    SPOT_CHECK,
    InboxFilters,
    collect,
    inbox,
)
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


# --- the confident mistakes: what the member did next -------------------------------------------

LOGIN_STEPS = "Pour vous connecter : 1. Allez sur le site… 2. Saisissez votre numéro et votre code."


@pytest.fixture
def confident(tracker: Engine) -> dict[str, int]:
    """Answers the classifier was sure of (90 % and more), and what each member said next."""
    ids = {}
    start = DAY + dt.timedelta(days=10)
    a = Conversation(tracker, "conv-rephrased", start)
    ids["rephrased"] = a.user("mon espace me dit identifiants invalides", "how_to_login", 0.93)
    a.answer("utter_how_to_login", LOGIN_STEPS)
    ids["rephrasing"] = a.user("le site me dit identifiant ou code invalide", "cannot_login", 0.91)
    a.answer("utter_cannot_login", "Que se passe-t-il exactement ?")
    b = Conversation(tracker, "conv-denied", start + dt.timedelta(hours=1))
    ids["denied"] = b.user("le code de la lettre marche pas", "postal_letter", 0.92)
    b.answer("utter_postal_letter", "Le courrier vous parviendra sous huitaine.")
    ids["denial"] = b.user("non ce n'est pas ça", "deny", 0.95)
    b.answer("utter_deny", "D'accord.")
    c = Conversation(tracker, "conv-agent", start + dt.timedelta(hours=2))
    ids["agent_after"] = c.user("mon mari veut accéder à mon compte", "ask_website", 0.9)
    c.answer("utter_ask_website", "Votre Espace Adhérent se trouve sur le site…")
    ids["agent_request"] = c.user("je veux parler à un conseiller", "request_human", 0.97)
    c.action("action_request_human")
    d = Conversation(tracker, "conv-no-thanks", start + dt.timedelta(hours=3))
    ids["answered_no_thanks"] = d.user("où trouver mon code d'accès", "where_is_access_code", 0.96)
    d.answer(
        "utter_where_is_access_code", "Il est sur votre courrier d'adhésion. Avez-vous une autre question ?"
    )
    ids["no_thanks"] = d.user("non merci", "deny", 0.94)
    d.answer("utter_goodbye", "Au revoir !")
    e = Conversation(tracker, "conv-new-question", start + dt.timedelta(hours=4))
    ids["greet"] = e.user("bonjour", "greet", 0.99)
    e.answer("utter_greet", "Bonjour ! Que puis-je faire pour vous ?")
    ids["then_agent"] = e.user("un conseiller svp", "request_human", 0.96)
    e.action("action_request_human")
    f = Conversation(tracker, "conv-new-question-2", start + dt.timedelta(hours=5))
    ids["first_question"] = f.user("comment me connecter", "how_to_login", 0.97)
    f.answer("utter_how_to_login", LOGIN_STEPS)
    ids["second_question"] = f.user("j'ai oublié mon code", "forgot_access_code", 0.95)
    f.answer("utter_forgot_access_code", "Pas d'inquiétude.")
    g = Conversation(tracker, "conv-rated", start + dt.timedelta(hours=6))
    ids["rated_no"] = g.user("les conditions d'utilisation", "terms_of_use", 0.95)
    g.answer("utter_terms_of_use", "Les CGU sont sur le site.")
    ids["rated_yes"] = g.user("quelle est l'adresse du site", "ask_website", 0.96)
    g.answer("utter_ask_website", "Le site est acs-assurances.cpms.fr.")
    with session_scope(tracker) as session:
        for event_id, helpful in ((ids["rated_no"], False), (ids["rated_yes"], True)):
            session.add(AnswerFeedback(conversation_id="conv-rated", event_id=event_id, helpful=helpful))
    return ids


def test_the_confidently_wrong_answer_is_listed_with_what_the_member_said_next(
    tracker: Engine, confident: dict[str, int]
) -> None:
    with session_scope(tracker) as session:
        items = {item.id: item for item in collect(tracker, session)}
    rephrased = items[confident["rephrased"]]
    assert rephrased.reasons == (REPHRASED,)
    assert rephrased.explanations == (
        "L'adhérent a reposé sa question autrement juste après : "
        "« le site me dit identifiant ou code invalide »",
    )
    denied = items[confident["denied"]]
    assert denied.reasons == (DENIED,)
    assert denied.reason_labels == ("Réponse contestée",)
    assert denied.follow_up == "non ce n'est pas ça"
    assert items[confident["agent_after"]].reasons == (AGENT_AFTER,)
    assert items[confident["rated_no"]].reasons == (NOT_HELPFUL,)
    # The message listed is the one the bot answered wrongly, never the denial that follows it.
    assert confident["denial"] not in items
    assert confident["rephrasing"] not in items
    # The agent request itself is listed as before, for its hand-off.
    assert items[confident["agent_request"]].reasons == (HANDOFF,)


def test_answered_questions_closings_new_questions_and_helpful_answers_stay_out(
    tracker: Engine, confident: dict[str, int]
) -> None:
    with session_scope(tracker) as session:
        listed = {item.id for item in collect(tracker, session)}
    # « non merci » after « Avez-vous une autre question ? » does not deny the answer.
    assert confident["answered_no_thanks"] not in listed and confident["no_thanks"] not in listed
    # A greeting followed by a request for an agent was no mistake.
    assert confident["greet"] not in listed
    # A second, unrelated question says nothing against the first answer.
    assert confident["first_question"] not in listed and confident["second_question"] not in listed
    assert confident["rated_yes"] not in listed


def test_a_few_confident_answers_are_drawn_for_a_check_and_filtered_by_reason(
    tracker: Engine, confident: dict[str, int]
) -> None:
    with session_scope(tracker) as session:
        everything = {i.id: i for i in collect(tracker, session, spot_check_percent=100)}
        drawn = collect(tracker, session, InboxFilters(reason=SPOT_CHECK), spot_check_percent=100)
        again = collect(tracker, session, InboxFilters(reason=SPOT_CHECK), spot_check_percent=100)
        none = collect(tracker, session, InboxFilters(reason=SPOT_CHECK))
    # Only answers to real questions that nothing else put in the inbox, with their reason.
    assert {i.id for i in drawn} == {
        confident["rephrasing"],
        confident["answered_no_thanks"],
        confident["first_question"],
        confident["second_question"],
        confident["rated_yes"],
    }
    assert all(i.explanations[0].startswith("Réponse sûre tirée au hasard") for i in drawn)
    assert confident["greet"] not in everything and confident["no_thanks"] not in everything
    assert everything[confident["denied"]].reasons == (DENIED,)  # one reason is enough
    assert drawn == again and none == []
    with session_scope(tracker) as session:
        denied = collect(tracker, session, InboxFilters(reason=DENIED))
    assert [i.id for i in denied] == [confident["denied"]]


def test_the_widgets_own_greeting_is_never_in_the_inbox(tracker: Engine) -> None:
    """The « Bonjour » the widget sends on opening was never typed: no reason lists it, not even
    as the last message before a hand-off when the member only pressed « Parler à un conseiller »."""
    start = DAY + dt.timedelta(days=20)
    opened = Conversation(tracker, "conv-opened", start)
    automatic = opened.user("Bonjour", "greet", 0.99, automatic=True)
    opened.answer("utter_greet", "Bonjour ! Que puis-je faire pour vous ?")
    with session_scope(tracker) as session:
        open_handoff(
            session,
            conversation_id="conv-opened",
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Motif : test",
            transcript=[],
            now=start + dt.timedelta(minutes=1),
        )
    with session_scope(tracker) as session:
        listed = {item.id for item in collect(tracker, session, spot_check_percent=100)}
    assert automatic not in listed
