"""Retrain-and-reload, last step, on the real Rasa server: a model swapped in with no downtime, rolled back.

The model loaded is a copy of the one the stack started with (training again would
take minutes and prove nothing more about loading). Between the requests, the bot
keeps answering; after them, the Rasa server says which model answers, and the
audit log says who changed it.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, select

from bot.db.engine import session_scope
from bot.db.models import AgentAuditEntry
from bot.releases import history, loading
from bot.settings import Settings
from tests.e2e.conftest import ANSWER_SECONDS, CHANNEL_TOKEN, Sesame

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def two_candidates() -> Iterator[list[str]]:
    """Two model files in models/history/, removed afterwards with the releases file they create."""
    history.HISTORY_DIR.mkdir(parents=True, exist_ok=True)
    saved = history.RELEASES_FILE.read_bytes() if history.RELEASES_FILE.exists() else None
    names = [f"sesame-e2e-{uuid.uuid4().hex[:8]}-{n}.tar.gz" for n in (1, 2)]
    for name in names:
        shutil.copyfile(history.STARTUP_MODEL, history.HISTORY_DIR / name)
    yield names
    for name in names:
        (history.HISTORY_DIR / name).unlink(missing_ok=True)
    if saved is None:
        history.RELEASES_FILE.unlink(missing_ok=True)
    else:
        history.RELEASES_FILE.write_bytes(saved)


def _current(sesame: Sesame) -> str:
    answer = httpx.get(
        f"http://127.0.0.1:{sesame.rasa_port}/webhooks/modele/",
        headers={"X-Sesame-Channel": CHANNEL_TOKEN, "X-Sesame-Agent": "e2e-chef"},
        trust_env=False,
        timeout=ANSWER_SECONDS,
    )
    name: str = answer.json()["modele"]
    return name


def test_a_model_is_loaded_without_downtime_then_rolled_back(
    sesame: Sesame, two_candidates: list[str]
) -> None:
    settings = Settings.from_values({"RASA_PORT": str(sesame.rasa_port), "CHANNEL_TOKEN": CHANNEL_TOKEN})
    engine = create_engine(sesame.database_url)
    first, second = two_candidates
    loading.load(engine, settings, first, "e2e-chef")
    assert _current(sesame) == first
    assert sesame.send("e2e-modele", "où trouver mon code d'accès ?")  # the new model answers
    releases = loading.load(engine, settings, second, "e2e-chef")
    assert (releases.active, releases.previous) == (second, first)
    rolled = loading.rollback(engine, settings, "e2e-chef")
    assert rolled.active == first and _current(sesame) == first
    assert sesame.send("e2e-modele", "merci")
    with session_scope(engine) as session:
        actions = [
            (e.action, e.detail.get("modele"))
            for e in session.scalars(select(AgentAuditEntry).where(AgentAuditEntry.actor == "e2e-chef"))
        ]
    assert actions == [("model_loaded", first), ("model_loaded", second), ("model_rolled_back", first)]
    engine.dispose()


def test_the_model_channel_refuses_strangers_and_other_files(
    sesame: Sesame, two_candidates: list[str]
) -> None:
    url = f"http://127.0.0.1:{sesame.rasa_port}/webhooks/modele/charger"
    signed = {"X-Sesame-Channel": CHANNEL_TOKEN, "X-Sesame-Agent": "e2e-chef"}
    with httpx.Client(trust_env=False, timeout=ANSWER_SECONDS) as client:
        body = {"modele": f"models/history/{two_candidates[0]}"}
        assert client.post(url, json=body).status_code == 403
        assert (
            client.post(
                url, json=body, headers={"X-Sesame-Channel": "devine", "X-Sesame-Agent": "x1"}
            ).status_code
            == 403
        )
        for path in (
            "models/sesame.tar.gz",
            "models/history/../sesame.tar.gz",
            "/etc/passwd",
            "endpoints.yml",
            3,
        ):
            assert client.post(url, json={"modele": path}, headers=signed).status_code == 400, path
        missing = client.post(url, json={"modele": "models/history/sesame-absent.tar.gz"}, headers=signed)
        assert missing.status_code == 404
        assert missing.json()["error"] == "Ce modèle n'existe pas dans models/history/."
