"""Conversations reach the database with NIRs and access codes masked, and come back whole."""

from __future__ import annotations

import asyncio
import random
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, Event, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from rasa_addons.redacting_tracker_store import RedactingSQLTrackerStore

DOMAIN = Domain.from_yaml(
    """
version: "3.1"
slots:
  nir:
    type: text
    mappings:
      - type: custom
"""
)


def generated_nir(seed: int) -> str:
    """A made-up NIR whose key is right (97 minus the body modulo 97)."""
    rng = random.Random(seed)
    body = f"{rng.choice('12')}{rng.randint(0, 99):02d}{rng.randint(1, 12):02d}{rng.randint(1, 95):02d}"
    body += f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    return body + f"{97 - int(body) % 97:02d}"


def conversation(nir: str) -> list[Event]:
    spaced = f"{nir[0]} {nir[1:3]} {nir[3:5]} {nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    return [
        ActionExecuted("action_listen"),
        UserUttered(
            f"mon numero est {spaced}",
            {"name": "provide_nir", "confidence": 1.0},
            [{"entity": "nir", "value": spaced, "start": 15, "end": 15 + len(spaced)}],
        ),
        SlotSet("nir", nir),
        BotUttered("Merci, je vérifie."),
        ActionExecuted("action_listen"),
        UserUttered("et mon code c'est 482913", {"name": "share_access_code", "confidence": 1.0}),
    ]


def store_at(url: str) -> RedactingSQLTrackerStore:
    """The store as endpoints.yml configures it: the whole URL in ``url`` (Rasa passes it as host)."""
    return RedactingSQLTrackerStore(domain=DOMAIN, host=url)


def stored_rows(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(sa.text("SELECT data FROM events ORDER BY id")).scalars())
    finally:
        engine.dispose()


@pytest.mark.parametrize("seed", range(5))
def test_no_nir_nor_code_in_the_database(tracker_db_url: str, seed: int) -> None:
    nir = generated_nir(seed)
    tracker = DialogueStateTracker.from_events("membre", conversation(nir), slots=DOMAIN.slots)
    asyncio.run(store_at(tracker_db_url).save(tracker))

    rows = stored_rows(tracker_db_url)
    assert len(rows) == 6
    digits_only = ["".join(c for c in row if c.isdigit()) for row in rows]
    assert not any(nir[:13] in digits for digits in digits_only)
    assert not any("482913" in row for row in rows)
    assert any("[NIR masqu" in row for row in rows)  # JSON escapes the accent


def test_the_conversation_comes_back_with_secrets_masked_and_the_rest_as_said(tracker_db_url: str) -> None:
    nir = generated_nir(7)
    tracker = DialogueStateTracker.from_events("membre", conversation(nir), slots=DOMAIN.slots)
    asyncio.run(store_at(tracker_db_url).save(tracker))

    again = asyncio.run(store_at(tracker_db_url).retrieve("membre"))
    assert again is not None
    events = list(again.events)
    assert [type(e) for e in events] == [type(e) for e in tracker.events]
    assert events[3] == tracker.events[3]  # the bot's words, untouched
    assert again.get_slot("nir") == "[NIR masqué]"
    assert "482913" not in (events[5].text or "")


def test_each_turn_adds_only_its_own_events(tracker_db_url: str) -> None:
    store = store_at(tracker_db_url)
    events = conversation(generated_nir(3))
    tracker = DialogueStateTracker.from_events("membre", events[:4], slots=DOMAIN.slots)
    asyncio.run(store.save(tracker))
    for event in events[4:]:
        tracker.update(event)
    asyncio.run(store.save(tracker))
    assert len(stored_rows(tracker_db_url)) == len(events)


def test_sqlite_runs_with_a_write_ahead_log(tmp_path: Path) -> None:
    database = tmp_path / "tracker.db"
    store = store_at(f"sqlite:///{database}")
    asyncio.run(store.save(DialogueStateTracker.from_events("membre", [ActionExecuted("action_listen")])))
    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
