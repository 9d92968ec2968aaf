"""Conversations reach the database with NIRs and access codes masked, and come back whole."""

from __future__ import annotations

import asyncio
import json
import random
import sqlite3
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActiveLoop, BotUttered, Event, SlotSet, UserUttered
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
  reset_confirmed:
    type: bool
    mappings:
      - type: custom
forms:
  reset_form:
    required_slots:
      - nir
      - reset_confirmed
responses:
  utter_ask_nir:
    - text: "Quel est votre numéro de Sécurité sociale ?"
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


def asks_for_nir(form: bool = True) -> list[Event]:
    """The bot's turn asking for the NIR: inside the reset form, or as a plain utterance."""
    question = BotUttered("Quel est votre numéro ?", metadata={"utter_action": "utter_ask_nir"})
    if not form:
        return [ActionExecuted("utter_ask_nir"), question, ActionExecuted("action_listen")]
    return [
        ActionExecuted("reset_form"),
        ActiveLoop("reset_form"),
        SlotSet("requested_slot", "nir"),
        question,
        ActionExecuted("action_listen"),
    ]


def said(text: str) -> UserUttered:
    return UserUttered(text, {"name": "provide_nir", "confidence": 0.9}, [], {"text": text})


def stored_user_texts(url: str) -> list[str]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text("SELECT data FROM events WHERE type_name = 'user' ORDER BY id"))
            return [row for row in rows.scalars()]
    finally:
        engine.dispose()


def test_a_nir_split_over_two_messages_leaves_no_fragment(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'tracker.db'}"
    nir = generated_nir(11)
    first, second = f"{nir[0]} {nir[1:3]} {nir[3:5]}", f"{nir[5:7]} {nir[7:10]} {nir[10:13]} {nir[13:]}"
    tracker = DialogueStateTracker.from_events(
        "membre",
        [ActionExecuted("action_listen"), said("je veux un nouveau code"), *asks_for_nir(), said(first)],
        slots=DOMAIN.slots,
    )
    asyncio.run(store_at(url).save(tracker))
    # Next turn, as Rasa runs it: the tracker comes back from the store, the bot asks again.
    again = asyncio.run(store_at(url).retrieve("membre"))
    assert again is not None
    for event in [SlotSet("nir", None), *asks_for_nir(), said(second)]:
        again.update(event)
    asyncio.run(store_at(url).save(again))

    rows = stored_user_texts(url)
    assert len(rows) == 3
    assert "je veux un nouveau code" in rows[0]
    for row in rows[1:]:
        data = json.loads(row)
        assert data["text"] == data["parse_data"]["text"] == "[NIR masqué]"
        assert not any(ch.isdigit() for ch in data["text"])
    joined = "".join(rows[1:])
    assert first not in joined and second not in joined
    assert nir[7:10] not in joined


@pytest.mark.parametrize("form", [True, False])
def test_the_message_after_the_nir_question_is_masked_whole(tracker_db_url: str, form: bool) -> None:
    events = [
        ActionExecuted("action_listen"),
        said("bonjour"),
        *asks_for_nir(form),
        said("je l'ai pas sous la main 12"),
    ]
    asyncio.run(
        store_at(tracker_db_url).save(DialogueStateTracker.from_events("membre", events, slots=DOMAIN.slots))
    )
    texts = [json.loads(row)["text"] for row in stored_user_texts(tracker_db_url)]
    assert texts == ["bonjour", "[NIR masqué]"]


def test_once_the_form_moves_on_messages_are_stored_as_said(tracker_db_url: str) -> None:
    events = [
        ActionExecuted("action_listen"),
        *asks_for_nir(),
        said("1 84 12 75 108 234"),
        ActionExecuted("reset_form"),
        SlotSet("requested_slot", "reset_confirmed"),
        BotUttered("Je confirme ?", metadata={"utter_action": "utter_ask_reset_confirmed_email"}),
        ActionExecuted("action_listen"),
        said("oui 2 fois"),
        ActionExecuted("reset_form"),
        ActiveLoop(None),
        SlotSet("requested_slot", None),
        BotUttered("C'est fait.", metadata={"utter_action": "utter_reset_email_sent"}),
        ActionExecuted("action_listen"),
        said("merci"),
    ]
    asyncio.run(
        store_at(tracker_db_url).save(DialogueStateTracker.from_events("membre", events, slots=DOMAIN.slots))
    )
    texts = [json.loads(row)["text"] for row in stored_user_texts(tracker_db_url)]
    assert texts == ["[NIR masqué]", "oui 2 fois", "merci"]
