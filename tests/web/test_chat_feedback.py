"""« Cette réponse vous a aidé ? »: when ``POST /chat`` offers it, and ``POST /chat/avis``.

A fake Rasa writes each turn into the conversation store as Rasa does (the member's
message with its intent, the bot's action and words), so that the web tier reads
what it would read in production.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from bot.db.engine import session_scope
from bot.db.models import AnswerFeedback
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.routes.chat_feedback import BAD_CHOICE, TOO_MANY, UNKNOWN_ANSWER
from bot.workbench.feedback import PER_CONVERSATION_PER_HOUR
from bot.workbench.inbox import NOT_HELPFUL, collect
from bot.workbench.tracker import create_tracker_table
from tests.support.db import migrated_memory_engine
from tests.workbench.conftest import Conversation

PAGE = "http://127.0.0.1:8080"
SENDER = "Zq3-x_9bT4mWkLpR2sYvN8cA"
OTHER = "Other-conversation_0123456"
# What the fake classifier says of each message: (intent, confidence, bot action, bot words).
TURNS: dict[str, tuple[str, float, str, str]] = {
    "Bonjour": ("greet", 0.99, "utter_greet", "Bonjour ! Que puis-je faire pour vous ?"),
    "le code de la lettre marche pas": (
        "postal_letter",
        0.92,
        "utter_postal_letter",
        "Le courrier vous parviendra sous huitaine.",
    ),
    "le truc de la chose": ("nlu_fallback", 0.3, "action_two_stage_fallback", "Vouliez-vous dire :"),
    "je n'arrive pas à me connecter": ("cannot_login", 0.95, "diagnostic_form", "Que se passe-t-il ?"),
    "j'ai oublié mon code": (
        "forgot_access_code",
        0.96,
        "utter_forgot_access_code",
        "Pas d'inquiétude. Je lance la demande ?",
    ),
}


class StoringRasa:
    """Answers as Rasa would, and writes the turn into the conversation store first."""

    def __init__(self, tracker: Engine) -> None:
        self.tracker = tracker
        self.conversations: dict[str, Conversation] = {}
        self.last_message: dict[str, int] = {}

    def handle(self, request: httpx.Request) -> httpx.Response:
        sent = json.loads(request.content)
        intent, confidence, action, words = TURNS[sent["message"]]
        conversation = self.conversations.setdefault(
            sent["sender"], Conversation(self.tracker, sent["sender"])
        )
        self.last_message[sent["sender"]] = conversation.user(sent["message"], intent, confidence)
        conversation.action(action)
        if action.endswith("_form"):
            conversation.loop(action)
        conversation.bot(words)
        return httpx.Response(200, json=[{"recipient_id": sent["sender"], "text": words}])


@pytest.fixture
def database() -> Engine:
    engine = migrated_memory_engine()
    create_tracker_table(engine)
    return engine


@pytest.fixture
def rasa(database: Engine) -> StoringRasa:
    return StoringRasa(database)


@pytest.fixture
def web(database: Engine, rasa: StoringRasa) -> Iterator[TestClient]:
    app = create_app(Settings.from_values({}), database, rasa_transport=httpx.MockTransport(rasa.handle))
    app.state.workbench.tracker_engine = database
    with TestClient(app, base_url=PAGE) as client:
        yield client


def chat(client: TestClient, message: str, sender: str = SENDER) -> dict[str, Any]:
    answer = client.post("/chat", json={"sender": sender, "message": message}, headers={"Origin": PAGE})
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


def rate(client: TestClient, payload: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    sent = {"Origin": PAGE, "Content-Type": "application/json", **(headers or {})}
    answer: httpx.Response = client.post("/chat/avis", content=json.dumps(payload), headers=sent)
    return answer


def stored(database: Engine) -> list[tuple[str, int, bool]]:
    with session_scope(database) as session:
        rows = session.execute(
            select(AnswerFeedback.conversation_id, AnswerFeedback.event_id, AnswerFeedback.helpful)
        )
        return [(c, e, bool(h)) for c, e, h in rows]


def test_the_question_follows_an_answer_to_a_real_question_only(web: TestClient, rasa: StoringRasa) -> None:
    assert "avis" not in chat(web, "Bonjour")  # the widget's greeting
    answered = chat(web, "le code de la lettre marche pas")
    assert answered["avis"] == {"message": rasa.last_message[SENDER]}
    assert "avis" not in chat(web, "le truc de la chose")  # « Vouliez-vous dire… »: not an answer
    assert "avis" not in chat(web, "je n'arrive pas à me connecter")  # a form asks: no answer yet
    assert "avis" not in chat(web, "j'ai oublié mon code")  # the bot asks something first


def test_a_no_is_stored_once_and_puts_the_answer_in_the_inbox(
    web: TestClient, rasa: StoringRasa, database: Engine
) -> None:
    message = chat(web, "le code de la lettre marche pas")["avis"]["message"]
    answer = rate(web, {"sender": SENDER, "message": message, "avis": "non"})
    assert answer.status_code == 200
    assert answer.json() == {"merci": "Merci pour votre avis."}
    again = rate(web, {"sender": SENDER, "message": message, "avis": "oui"})
    assert again.status_code == 200
    assert stored(database) == [(SENDER, message, False)]  # the first answer stands
    with session_scope(database) as session:
        [item] = collect(database, session)
    assert (item.id, item.reasons) == (message, (NOT_HELPFUL,))
    assert item.explanations == ("L'adhérent a répondu « Non » à « Cette réponse vous a aidé ? ».",)


def test_a_yes_is_stored_and_lists_nothing(web: TestClient, database: Engine) -> None:
    message = chat(web, "le code de la lettre marche pas")["avis"]["message"]
    assert rate(web, {"sender": SENDER, "message": message, "avis": "oui"}).status_code == 200
    assert stored(database) == [(SENDER, message, True)]
    with session_scope(database) as session:
        assert collect(database, session) == []


def test_an_unknown_conversation_or_another_conversations_message_is_refused_in_french(
    web: TestClient, rasa: StoringRasa, database: Engine
) -> None:
    message = chat(web, "le code de la lettre marche pas")["avis"]["message"]
    chat(web, "Bonjour", sender=OTHER)
    for sender, rated in ((OTHER, message), ("Unknown-conversation-000", message), (SENDER, message + 1)):
        answer = rate(web, {"sender": sender, "message": rated, "avis": "non"})
        assert answer.status_code == 404
        assert answer.json() == {"error": UNKNOWN_ANSWER}
    assert stored(database) == []


@pytest.mark.parametrize(
    ("payload", "status", "error"),
    [
        ({"sender": SENDER, "message": 1, "avis": "peut-être"}, 422, BAD_CHOICE),
        ({"sender": SENDER, "message": 1, "avis": True}, 422, BAD_CHOICE),
        ({"sender": SENDER, "message": 1, "avis": "non", "commentaire": "texte libre"}, 400, None),
        ({"sender": SENDER, "message": "1", "avis": "non"}, 400, None),
        ({"sender": "court", "message": 1, "avis": "non"}, 400, None),
        (["non"], 400, None),
    ],
)
def test_a_bad_value_is_refused_in_french(
    web: TestClient, database: Engine, payload: Any, status: int, error: str | None
) -> None:
    answer = rate(web, payload)
    assert answer.status_code == status
    assert answer.json()["error"] == (
        error or "Votre message n'a pas pu être lu. Rechargez la page puis réessayez."
    )
    assert stored(database) == []


def test_only_from_the_page_and_only_json(web: TestClient, database: Engine) -> None:
    message = chat(web, "le code de la lettre marche pas")["avis"]["message"]
    payload = {"sender": SENDER, "message": message, "avis": "non"}
    assert rate(web, payload, {"Origin": "https://evil.example"}).status_code == 403
    assert rate(web, payload, {"Content-Type": "text/plain"}).status_code == 415
    assert stored(database) == []


def test_a_conversation_rating_answer_after_answer_is_stopped(
    web: TestClient, rasa: StoringRasa, database: Engine
) -> None:
    messages = [
        chat(web, "le code de la lettre marche pas")["avis"]["message"]
        for _ in range(PER_CONVERSATION_PER_HOUR + 1)
    ]
    for message in messages[:-1]:
        assert rate(web, {"sender": SENDER, "message": message, "avis": "oui"}).status_code == 200
    refused = rate(web, {"sender": SENDER, "message": messages[-1], "avis": "non"})
    assert refused.status_code == 429
    assert refused.json() == {"error": TOO_MANY}
    assert refused.headers["Retry-After"] == "3600"
    with session_scope(database) as session:
        assert session.scalar(select(func.count()).select_from(AnswerFeedback)) == PER_CONVERSATION_PER_HOUR
