"""Reading only the new events gives the conversation Rasa's own full read gives, turn after turn."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

from rasa_addons import incremental_tracker_store
from rasa_addons.redacting_tracker_store import RedactingSQLTrackerStore
from rasa_addons.tests.test_redacting_tracker_store import DOMAIN, conversation, generated_nir, store_at


@pytest.fixture(autouse=True)
def incremental() -> Iterator[None]:
    incremental_tracker_store.install()
    yield
    incremental_tracker_store.uninstall()


def rasa_read(store: RedactingSQLTrackerStore, sender: str) -> DialogueStateTracker | None:
    return asyncio.run(incremental_tracker_store._ORIGINAL_RETRIEVE(store, sender, False))


def view(tracker: DialogueStateTracker | None) -> Any:
    if tracker is None:
        return None
    return [event.as_dict() for event in tracker.events], tracker.current_state(EventVerbosity.ALL)


def assert_reads_as_rasa(store: RedactingSQLTrackerStore, sender: str) -> DialogueStateTracker | None:
    ours = asyncio.run(store.retrieve(sender))
    assert view(ours) == view(rasa_read(store, sender))
    return ours


def turn(number: int) -> list[Event]:
    return [
        ActionExecuted("action_listen"),
        UserUttered(f"question {number}", {"name": "how_to_login", "confidence": 0.9}),
        ActionExecuted("utter_how_to_login", policy="RulePolicy", confidence=1.0),
        BotUttered(f"réponse {number}", metadata={"utter_action": "utter_how_to_login"}),
        SlotSet("reset_confirmed", number % 2 == 0),
    ]


def new_session() -> list[Event]:
    return [ActionExecuted("action_session_start"), SessionStarted(), SlotSet("reset_confirmed", True)]


def say(store: RedactingSQLTrackerStore, sender: str, events: list[Event]) -> None:
    tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
    for event in events:
        tracker.update(event)
    asyncio.run(store.save(tracker))


def test_turn_after_turn_with_secrets_and_a_new_session(tracker_db_url: str) -> None:
    store = store_at(tracker_db_url)
    assert assert_reads_as_rasa(store, "conv") is None
    say(store, "conv", [*new_session(), *turn(1)])
    for number in range(2, 6):
        say(store, "conv", turn(number))
        assert_reads_as_rasa(store, "conv")
    say(store, "conv", conversation(generated_nir(3)))  # stored masked: read back masked
    assert_reads_as_rasa(store, "conv")
    say(store, "conv", [*new_session(), *turn(6)])  # a new session: only its events come back
    tracker = assert_reads_as_rasa(store, "conv")
    assert tracker is not None and len(tracker.events) == 7  # from SessionStarted on, as Rasa
    say(store, "conv", turn(7))
    assert_reads_as_rasa(store, "conv")


def test_events_written_by_another_replica_are_read(tracker_db_url: str) -> None:
    ours, other = store_at(tracker_db_url), store_at(tracker_db_url)
    say(ours, "conv", [*new_session(), *turn(1)])
    assert_reads_as_rasa(ours, "conv")
    say(other, "conv", turn(2))
    tracker = assert_reads_as_rasa(ours, "conv")
    assert tracker is not None and tracker.latest_message is not None
    assert tracker.latest_message.text == "question 2"


def test_erased_rows_are_not_read_back(tracker_db_url: str) -> None:
    store = store_at(tracker_db_url)
    say(store, "conv", [*new_session(), *turn(1), *turn(2)])
    assert_reads_as_rasa(store, "conv")
    engine = sa.create_engine(tracker_db_url)
    with engine.begin() as connection:  # the privacy purge of old events, then erasure
        connection.execute(sa.text("DELETE FROM events WHERE id = (SELECT max(id) FROM events)"))
    assert_reads_as_rasa(store, "conv")
    with engine.begin() as connection:
        connection.execute(sa.text("DELETE FROM events WHERE sender_id = 'conv'"))
    engine.dispose()
    assert assert_reads_as_rasa(store, "conv") is None


def test_a_turn_changing_its_tracker_changes_nothing_kept(tracker_db_url: str) -> None:
    store = store_at(tracker_db_url)
    say(store, "conv", [*new_session(), *turn(1)])
    tracker = asyncio.run(store.retrieve("conv"))
    assert tracker is not None and tracker.latest_message is not None
    tracker.latest_message.text = "changed in memory"
    tracker.latest_message.use_text_for_featurization = True
    assert_reads_as_rasa(store, "conv")


def test_conversations_seen_least_recently_are_forgotten(
    tracker_db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(incremental_tracker_store, "MAX_KEPT_EVENTS", 14)  # two conversations of 7 events
    store = store_at(tracker_db_url)
    for sender in ("a", "b", "c"):
        say(store, sender, [*new_session(), *turn(1)])
    for sender in ("a", "b", "c"):
        assert_reads_as_rasa(store, sender)
    assert list(store.__dict__[incremental_tracker_store._KEPT]) == ["b", "c"]


def rows_of(url: str, sender: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    query = sa.text(
        "SELECT type_name, timestamp, intent_name, action_name, data FROM events "
        "WHERE sender_id = :sender ORDER BY id"
    )
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(query, {"sender": sender})]
    finally:
        engine.dispose()


def test_the_same_rows_are_stored_as_by_rasa(tracker_db_url: str) -> None:
    store = store_at(tracker_db_url)
    turns = [[*new_session(), *turn(1)], turn(2), conversation(generated_nir(5)), [*new_session(), *turn(3)]]
    trackers = {sender: DialogueStateTracker(sender, DOMAIN.slots) for sender in ("rasa", "ours")}
    for events in turns:
        for sender, tracker in trackers.items():
            for event in events:
                tracker.update(event)
            if sender == "rasa":
                incremental_tracker_store.uninstall()
            else:
                incremental_tracker_store.install()
            asyncio.run(store.save(tracker))
            asyncio.run(store.save(tracker))  # saved twice: what Rasa counts as stored decides
    # (A tracker kept across a new session, never read back, is partly written again by
    # Rasa itself: the count is of the latest session's rows. The same here.)
    stored = rows_of(tracker_db_url, "ours")
    assert stored == rows_of(tracker_db_url, "rasa")
    assert len(stored) > sum(len(events) for events in turns)
