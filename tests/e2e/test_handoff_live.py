"""A live hand-off on the real processes, with a restart of the web tier in the middle (issue #12).

The agent signs in to the console and says they are available; the member asks for
a person through the web tier; the bot opens the hand-off; the agent takes it. From
then on the member talks to a web process of our own (``python -m bot.web``), which
is stopped and started again half-way: the agent's session, the hand-off and the
push stream all continue from the database. After the close, the bot answers again.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, update

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.models import Agent
from tests.e2e.conftest import ANSWER_SECONDS, Sesame
from tests.support.background import free_port

ROOT = Path(__file__).resolve().parents[2]
LOGIN = "e2e-direct"
PASSWORD = "Relais-en-direct-2026"  # noqa: S105 - a test account


def _start_web(sesame: Sesame, port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": sesame.database_url,
        "RASA_PORT": str(sesame.rasa_port),
        "WEB_PORT": str(port),
        "RESET_URL_BASE": f"http://127.0.0.1:{port}/reinitialiser",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot.web"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", trust_env=False, timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.3)
    process.kill()
    pytest.fail("the extra web process did not start")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    process.wait(timeout=30)


def _client(port: int) -> httpx.Client:
    page = f"http://127.0.0.1:{port}"
    return httpx.Client(
        base_url=page,
        trust_env=False,
        timeout=ANSWER_SECONDS,
        headers={"Origin": page},
        follow_redirects=True,
    )


def _events(client: httpx.Client, sender: str, last_id: int, wanted: int) -> list[tuple[str, Any]]:
    found: list[tuple[str, Any]] = []
    with client.stream(
        "GET", "/chat/flux", params={"sender": sender}, headers={"Last-Event-ID": str(last_id)}, timeout=30
    ) as stream:
        assert stream.status_code == 200
        name = ""
        for line in stream.iter_lines():
            if line.startswith("event: "):
                name = line[7:]
            elif line.startswith("data: "):
                found.append((name, json.loads(line[6:])))
                if sum(1 for kind, _ in found if kind == "message") >= wanted:
                    break
    return [(kind, data) for kind, data in found if kind == "message"]


@pytest.fixture
def agent(sesame: Sesame) -> Iterator[httpx.Client]:
    engine = create_engine(sesame.database_url)
    with session_scope(engine) as session:
        if accounts.find_agent(session, LOGIN) is None:
            accounts.add_agent(session, LOGIN, PASSWORD, actor="cli:e2e", display_name="Dominique")
    with _client(sesame.web_port) as client:
        signed = client.post("/conseiller/connexion", data={"identifiant": LOGIN, "mot_de_passe": PASSWORD})
        assert "Dossier de l'adhérent" in signed.text
        assert client.post("/conseiller/api/disponibilite", json={"disponible": True}).status_code == 200
        yield client
    with session_scope(engine) as session:  # the other tests meet nobody available
        session.execute(update(Agent).values(available=False))
    engine.dispose()


def test_a_live_hand_off_survives_a_restart_of_the_web_tier(sesame: Sesame, agent: httpx.Client) -> None:
    sender = f"e2e-live-{uuid.uuid4().hex[:16]}"
    port = free_port()
    web = _start_web(sesame, port)
    try:
        with _client(port) as member:
            asked = member.post("/chat", json={"sender": sender, "message": "je veux parler à un conseiller"})
            body = asked.json()
            assert body["handoff"]["etat"] == "attente" and body["handoff"]["position"] >= 1
            handoff_id = body["handoff"]["id"]
            assert "file d'attente des conseillers" in " ".join(m["text"] for m in body["messages"])

            taken = agent.post(f"/conseiller/api/prises-en-charge/{handoff_id}/prendre", json={})
            assert taken.status_code == 200, taken.text
            assert "Sujets abordés" in taken.json()["element"]["resume"]
            silent = member.post(
                "/chat", json={"sender": sender, "message": "bonjour, vous êtes là ?"}
            ).json()
            assert (
                silent["messages"] == [] and silent["handoff"]["etat"] == "en_cours"
            )  # the bot says nothing
            first = agent.post(
                f"/conseiller/api/prises-en-charge/{handoff_id}/messages",
                json={"texte": "Bonjour, je suis là."},
            ).json()
            seen = _events(member, sender, 0, wanted=2)
            assert [data["texte"] for _, data in seen] == [
                "Dominique, conseiller(ère) ACS, a rejoint la conversation.",
                "Bonjour, je suis là.",
            ]
        _stop(web)  # the web tier goes down in the middle of the hand-off…
        agent.post(
            f"/conseiller/api/prises-en-charge/{handoff_id}/messages", json={"texte": "Pendant la coupure."}
        )
        web = _start_web(sesame, port)  # …and comes back: nothing was in its memory
        with _client(port) as member:
            resumed = _events(member, sender, first["id"], wanted=1)
            assert resumed[0][1]["texte"] == "Pendant la coupure."
            again = member.post("/chat", json={"sender": sender, "message": "merci, c'est réglé"}).json()
            assert again["messages"] == [] and again["handoff"]["etat"] == "en_cours"
            lines = agent.get(f"/conseiller/api/prises-en-charge/{handoff_id}").json()["messages"]
            assert [m["texte"] for m in lines if m["qui"] == "adherent"] == [
                "bonjour, vous êtes là ?",
                "merci, c'est réglé",
            ]
            assert (
                agent.post(f"/conseiller/api/prises-en-charge/{handoff_id}/fermer", json={}).status_code
                == 200
            )
            closing = _events(member, sender, resumed[0][1]["id"], wanted=1)
            assert closing[0][1]["texte"].startswith("Le conseiller a terminé la conversation")
            back = member.post(
                "/chat", json={"sender": sender, "message": "où trouver mon code d'accès ?"}
            ).json()
            assert back["messages"] and "handoff" not in back  # the bot answers again
            assert "décomptes" in " ".join(m["text"] for m in back["messages"])
    finally:
        _stop(web)
