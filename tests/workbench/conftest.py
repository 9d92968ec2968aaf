"""Fixtures of the workbench tests: a copy of the repository's data, a tracker store with conversations."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, insert

from bot.workbench.tracker import EVENTS, METADATA, create_tracker_table
from tests.conftest import ROOT

COPIED_FILES = ("intents.yml", "config.yml")
COPIED_DIRS = ("domain", "data", "tests/stories", "tests/holdout")
DAY = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """What the workbench writes to, copied: never the repository itself."""
    root = tmp_path / "repo"
    root.mkdir()
    for name in COPIED_FILES:
        shutil.copy(ROOT / name, root / name)
    for name in COPIED_DIRS:
        shutil.copytree(ROOT / name, root / name)
    return root


@pytest.fixture
def tracker(engine: Engine) -> Iterator[Engine]:
    """Rasa's ``events`` table, in the test database."""
    create_tracker_table(engine)
    yield engine
    METADATA.drop_all(engine)


def parse(intent: str, confidence: float, ranking: list[tuple[str, float]] | None = None) -> dict[str, Any]:
    ranking = ranking or [(intent, confidence)]
    return {
        "intent": {"name": intent, "confidence": confidence},
        "intent_ranking": [{"name": n, "confidence": c} for n, c in ranking],
        "entities": [],
    }


class Conversation:
    """Writes a conversation's events as Rasa's SQLTrackerStore does."""

    def __init__(self, engine: Engine, sender: str, start: dt.datetime = DAY) -> None:
        self.engine, self.sender, self.at = engine, sender, start

    def _add(self, type_name: str, data: dict[str, Any], **columns: Any) -> int:
        self.at += dt.timedelta(seconds=5)
        data = {"event": type_name, "timestamp": self.at.timestamp(), **data}
        with self.engine.begin() as connection:
            result = connection.execute(
                insert(EVENTS).values(
                    sender_id=self.sender,
                    type_name=type_name,
                    timestamp=self.at.timestamp(),
                    data=json.dumps(data),
                    **columns,
                )
            )
            key = result.inserted_primary_key
            assert key is not None
            return int(key[0])

    def user(
        self,
        text: str,
        intent: str,
        confidence: float,
        ranking: list[tuple[str, float]] | None = None,
        *,
        automatic: bool = False,
    ) -> int:
        """A member message; ``automatic``: the widget's greeting on opening, marked as the web tier does."""
        data: dict[str, Any] = {"text": text, "parse_data": parse(intent, confidence, ranking)}
        if automatic:
            data["metadata"] = {"client": "web:test", "automatique": True}
        return self._add("user", data, intent_name=intent)

    def action(self, name: str) -> int:
        return self._add("action", {"name": name}, action_name=name)

    def bot(self, text: str) -> int:
        return self._add("bot", {"text": text})

    def answer(self, action: str, text: str) -> None:
        """The bot's answer: its action, then what it said."""
        self.action(action)
        self.bot(text)

    def slot(self, name: str, value: Any) -> int:
        return self._add("slot", {"name": name, "value": value})

    def loop(self, name: str | None) -> int:
        return self._add("active_loop", {"name": name})
