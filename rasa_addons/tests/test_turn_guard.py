"""Faults of a turn: a French answer instead of silence, and no conversation kept in memory only."""

from __future__ import annotations

import asyncio
import contextvars
import json
import socket
import time
from typing import Any

import pytest
from rasa.core.actions.action import RemoteAction
from rasa.core.agent import Agent
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from sanic import response

from rasa_addons import turn_guard
from rasa_addons.channels import ACTIONS_HEADER, answer_for, final_answer, guarded
from rasa_addons.redacting_tracker_store import TrackerStoreUnreachable, check_reachable


class BrokenStore(InMemoryTrackerStore):
    """A conversation store whose database has gone away."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        raise OSError("connection refused")

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise OSError("connection refused")


def in_a_turn(coroutine: Any) -> tuple[turn_guard.TurnProblems, Any]:
    """Run ``coroutine`` as one REST request would: in its own context, after ``start_turn``."""

    async def turn() -> tuple[turn_guard.TurnProblems, Any]:
        problems = turn_guard.start_turn()
        try:
            return problems, await coroutine
        except Exception as error:  # handed back to the test
            return problems, error

    return contextvars.Context().run(asyncio.run, turn())


def test_a_store_failure_fails_the_turn_and_nothing_goes_to_memory(caplog: pytest.LogCaptureFixture) -> None:
    domain = Domain.empty()
    store = turn_guard.LoudTrackerStore(BrokenStore(domain))
    tracker = DialogueStateTracker("conversation-a", slots=[])
    problems, outcome = in_a_turn(store.save(tracker))
    assert isinstance(outcome, turn_guard.TrackerStoreFailed)
    assert problems.failed
    # Rasa's FailSafeTrackerStore would have saved it in memory, where no replica sees it.
    assert store._fallback_tracker_store is None
    problems, outcome = in_a_turn(store.retrieve("conversation-a"))
    assert isinstance(outcome, turn_guard.TrackerStoreFailed) and problems.failed
    assert any(record.levelname == "CRITICAL" for record in caplog.records)


def test_rasas_own_wrapper_would_have_fallen_back_to_memory() -> None:
    """Why the wrapper exists: the behaviour it replaces, on this Rasa version."""
    domain = Domain.empty()
    store = FailSafeTrackerStore(BrokenStore(domain))
    asyncio.run(store.save(DialogueStateTracker("conversation-b", slots=[])))
    assert asyncio.run(store.fallback_tracker_store.retrieve("conversation-b")) is not None


def test_once_installed_every_agent_gets_the_loud_store() -> None:
    turn_guard.install()
    try:
        store = Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty())
        assert isinstance(store, turn_guard.LoudTrackerStore)
    finally:
        turn_guard.uninstall()
    assert not isinstance(
        Agent._create_tracker_store(InMemoryTrackerStore(Domain.empty()), Domain.empty()),
        turn_guard.LoudTrackerStore,
    )


def test_a_failed_turn_is_a_503_in_french_and_the_message_is_not_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    async def on_new_message(message: UserMessage) -> None:
        raise ConnectionError("redis went away")

    secret = "mon numéro 2 91 09 75 006 373 88"  # noqa: S105 - a test message
    message = UserMessage(secret, CollectingOutputChannel(), "conversation-c")
    problems, outcome = in_a_turn(guarded(on_new_message)(message))
    assert outcome is None and problems.failed
    answer = answer_for(problems, b"[]")
    assert answer is not None and answer.status == 503
    assert json.loads(answer.body or b"") == {"error": turn_guard.TURN_FAILED_TEXT}
    assert "momentanément indisponible" in turn_guard.TURN_FAILED_TEXT
    assert secret not in caplog.text and "91 09" not in caplog.text


def test_an_unreachable_action_server_ends_the_answer_with_a_fallback(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ACS_CONTACT_PHONE", raising=False)
    problems = turn_guard.TurnProblems(action_server_down=True)
    said = [{"recipient_id": "conversation-d", "text": "Je vérifie votre numéro."}]
    answer = answer_for(problems, json.dumps(said).encode())
    assert answer is not None and answer.status == 200
    assert json.loads(answer.body or b"") == [
        *said,
        {"recipient_id": "conversation-d", "text": turn_guard.ACTION_SERVER_DOWN_TEXT},
    ]
    # The turn failed because of it: still the fallback, not a 503 that would be retried in vain.
    failed = answer_for(turn_guard.TurnProblems(action_server_down=True, failed=True), b"[]")
    assert failed is not None and failed.status == 200
    # Nothing said at all: the fallback alone, never silence.
    alone = answer_for(problems, b"[]")
    assert alone is not None and json.loads(alone.body or b"") == [
        {"text": turn_guard.ACTION_SERVER_DOWN_TEXT}
    ]


def test_the_fallback_gives_the_call_centre_only_when_the_operator_set_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("ACS_CONTACT_PHONE", raising=False)
    assert turn_guard.with_contact("Réessayez.") == "Réessayez."
    monkeypatch.setenv("ACS_CONTACT_PHONE", "01 00 00 00 00")
    monkeypatch.setenv("ACS_CONTACT_HOURS", "du lundi au vendredi")
    assert turn_guard.with_contact("Réessayez.") == (
        "Réessayez. Vous pouvez aussi appeler ACS au 01 00 00 00 00 (du lundi au vendredi)."
    )


def test_a_good_turn_is_left_as_rasa_answered() -> None:
    assert answer_for(turn_guard.TurnProblems(), b'[{"text": "Bonjour"}]') is None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_an_unreachable_conversation_store_stops_the_start_in_french() -> None:
    url = f"postgresql+psycopg2://sesame:motdepasse@127.0.0.1:{_closed_port()}/sesame_conversations"
    started = time.monotonic()
    with pytest.raises(TrackerStoreUnreachable) as raised:
        check_reachable(url, attempts=2, wait=0.1)
    assert time.monotonic() - started < 10
    assert str(raised.value).startswith("Base des conversations injoignable")
    assert "motdepasse" not in str(raised.value)


def test_a_reachable_conversation_store_starts(postgres_server_database: str) -> None:
    check_reachable(postgres_server_database, attempts=1)


def test_the_answer_says_whether_the_action_server_was_called(monkeypatch: pytest.MonkeyPatch) -> None:
    async def answered(self: Any, *args: Any, **kwargs: Any) -> list[Any]:
        return []

    monkeypatch.setattr(turn_guard, "_ORIGINAL_REMOTE_RUN", answered)
    action = RemoteAction("action_request_human", None)
    called, _ = in_a_turn(turn_guard._remote_run(action, None, None, None, None))
    assert called.actions_called
    quiet = turn_guard.TurnProblems()
    for problems, flag in ((called, "1"), (quiet, "0")):
        answer = response.json([{"text": "Bonjour"}])
        assert final_answer(problems, answer) is None  # Rasa's own answer is kept
        assert answer.headers[ACTIONS_HEADER] == flag
    replaced = final_answer(turn_guard.TurnProblems(action_server_down=True, actions_called=True), answer)
    assert replaced is not None and replaced.headers[ACTIONS_HEADER] == "1"
