"""Two real web workers on one PostgreSQL database: a push reaches the browser whichever worker it is on.

Production runs several ``python -m bot.web`` processes behind a load balancer; here
two of them (A and B, each its own port) share a throw-away PostgreSQL database. The
member's stream is on A while the agent writes through B's console API; an agent's
console stream is on B while the member asks for a person through A. A stand-in for
Rasa queues the hand-off as the action server would, in the database: no code of the
web tier tells the other worker anything, the database's notifications do.

Delivery is what is asserted; the 2 s bound is generous (a notification takes
milliseconds). The latencies measured are printed (``pytest -s``).
"""

from __future__ import annotations

import datetime as dt
import json
import queue as queues
import statistics
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, select, update

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason
from bot.db.models import Agent, AgentSession
from bot.handoffs import queue
from tests.support.background import free_port
from tests.support.web_workers import start_web, stop_all, wait_until_up

PASSWORD = "Relais-entre-deux-2026"  # noqa: S105 - a test account
MEMBER = "membre-DeuxProcessus0123456789"
ASKS_FOR_A_PERSON = "je veux parler à un conseiller"
WITHIN_SECONDS = 2.0
MESSAGES = 20

pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


# --- a stand-in for Rasa that queues a hand-off as the action server does ----------------


def open_live(engine: Engine, conversation: str) -> int:
    with session_scope(engine) as session:
        return queue.open_handoff(
            session,
            conversation_id=conversation,
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Sujets : code d'accès oublié. Numéro vérifié : non.",
            transcript=[{"qui": "adherent", "texte": ASKS_FOR_A_PERSON}],
        ).id


def fake_rasa(engine: Engine) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            text = "Bonjour !"
            if body["message"] == ASKS_FOR_A_PERSON:
                open_live(engine, body["sender"])
                text = "Je vous mets en relation avec un conseiller."
            answer = json.dumps([{"recipient_id": body["sender"], "text": text}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the two workers ------------------------------------------------------------------------


@dataclass
class Workers:
    a: str
    b: str
    engine: Engine


@pytest.fixture
def workers(db_url: str, engine: Engine, tmp_path: Path) -> Iterator[Workers]:
    with session_scope(engine) as session:
        accounts.add_agent(session, "alice", PASSWORD, actor="cli:test", display_name="Alice")
        accounts.add_agent(session, "bruno", PASSWORD, actor="cli:test", display_name="Bruno")
    rasa = fake_rasa(engine)
    ports = free_port(), free_port()
    logs = [tmp_path / "web-a.log", tmp_path / "web-b.log"]
    rasa_port = rasa.server_address[1]
    processes = [start_web(port, db_url, rasa_port, log) for port, log in zip(ports, logs, strict=True)]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url, process, log in zip(urls, processes, logs, strict=True):
            wait_until_up(url + "/", process, log)
        yield Workers(a=urls[0], b=urls[1], engine=engine)
    finally:
        stop_all(processes)
        rasa.shutdown()
    for log in logs:
        assert "lost the database's notifications" not in log.read_text(encoding="utf-8")


def agent_on(url: str, login: str) -> httpx.Client:
    client = httpx.Client(base_url=url, headers={"Origin": url}, timeout=10)
    answer = client.post(
        "/conseiller/connexion", data={"identifiant": login, "mot_de_passe": PASSWORD}, follow_redirects=False
    )
    assert answer.status_code == 303
    return client


# --- a browser's EventSource, as a thread that timestamps each event ------------------------


class Stream:
    """The events of one Server-Sent Events stream: (arrival time, name, data)."""

    def __init__(self, client: httpx.Client, path: str, params: dict[str, str] | None = None) -> None:
        self.events: queues.Queue[tuple[float, str, Any]] = queues.Queue()
        self._client = client
        self._thread = threading.Thread(target=self._read, args=(path, params or {}), daemon=True)
        self._thread.start()

    def _read(self, path: str, params: dict[str, str]) -> None:
        try:
            with self._client.stream("GET", path, params=params, timeout=None) as response:
                assert response.status_code == 200, response.status_code
                name = ""
                for line in response.iter_lines():
                    if line.startswith("retry:"):
                        self.events.put((time.monotonic(), "ouvert", None))
                    elif line.startswith("event: "):
                        name = line[len("event: ") :]
                    elif line.startswith("data: "):
                        self.events.put((time.monotonic(), name, json.loads(line[len("data: ") :])))
        except (httpx.HTTPError, RuntimeError):
            pass  # closed by the test

    def next(self, name: str, seconds: float = WITHIN_SECONDS, **data: Any) -> tuple[float, Any]:
        """The next event called ``name`` whose data has ``data``; fails after ``seconds``."""
        deadline = time.monotonic() + seconds
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no {name} event {data} within {seconds} s"
            try:
                at, got, payload = self.events.get(timeout=left)
            except queues.Empty:
                continue
            if got == name and all(payload.get(key) == value for key, value in data.items()):
                return at, payload

    def close(self) -> None:
        self._client.close()
        self._thread.join(timeout=5)


# --- the tests ----------------------------------------------------------------------------------


def test_an_agents_message_through_worker_b_reaches_the_members_stream_on_worker_a(
    workers: Workers,
) -> None:
    handoff_id = open_live(workers.engine, MEMBER)
    alice = agent_on(workers.b, "alice")
    assert alice.post(f"/conseiller/api/prises-en-charge/{handoff_id}/prendre").status_code == 200
    member = Stream(httpx.Client(base_url=workers.a), "/chat/flux", {"sender": MEMBER})
    try:
        member.next("etat", seconds=10, etat="en_cours")
        latencies = []
        for number in range(MESSAGES):
            text = f"Message n° {number} de la conseillère."
            sent_at = time.monotonic()
            said = alice.post(f"/conseiller/api/prises-en-charge/{handoff_id}/messages", json={"texte": text})
            assert said.status_code == 200
            arrived_at, event = member.next("message", texte=text)
            assert event["id"] == said.json()["id"] and event["qui"] == "conseiller"
            latencies.append((arrived_at - sent_at) * 1000)
        latencies.sort()
        p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)]
        median = statistics.median(latencies)
        print(f"\ncross-worker delivery, {MESSAGES} messages: median {median:.1f} ms, p95 {p95:.1f} ms")
        assert alice.post(f"/conseiller/api/prises-en-charge/{handoff_id}/fermer").status_code == 200
        member.next("etat", etat="terminee")
    finally:
        member.close()
        alice.close()


def _last_seen(engine: Engine, login: str) -> dt.datetime:
    with session_scope(engine) as session:
        agent_id = session.scalars(select(Agent.id).where(Agent.login == login)).one()
        return session.scalars(
            select(AgentSession.last_seen_at).where(AgentSession.agent_id == agent_id)
        ).one()


def test_a_hand_off_asked_through_worker_a_wakes_the_console_stream_on_worker_b(workers: Workers) -> None:
    bruno = agent_on(workers.b, "bruno")
    # His session looks ten minutes idle: the stream must not make it look active.
    ten_minutes_ago = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=10)
    with session_scope(workers.engine) as session:
        session.execute(update(AgentSession).values(last_seen_at=ten_minutes_ago))
    console = Stream(bruno, "/conseiller/api/flux")
    member = httpx.Client(base_url=workers.a, headers={"Origin": workers.a}, timeout=10)
    try:
        console.next("ouvert", seconds=10)
        asked_at = time.monotonic()
        reply = member.post("/chat", json={"sender": MEMBER, "message": ASKS_FOR_A_PERSON})
        assert reply.status_code == 200 and reply.json()["handoff"]["etat"] == "attente"
        handoff_id = reply.json()["handoff"]["id"]
        arrived_at, _ = console.next("file")
        console.next("messages", id=handoff_id)
        print(
            f"\nqueue event across workers: {(arrived_at - asked_at) * 1000:.1f} ms after the member's POST"
        )
        # What the page then reads, through worker B, shows the new hand-off.
        view = bruno.get("/conseiller/api/file", headers={"X-Sesame-Poll": "1"}).json()
        assert [item["id"] for item in view["elements"]] == [handoff_id]
        # The member writes while waiting (through A): the console hears of that hand-off.
        assert member.post("/chat", json={"sender": MEMBER, "message": "vous êtes là ?"}).status_code == 200
        console.next("messages", id=handoff_id)
    finally:
        console.close()
        member.close()
    assert abs(_last_seen(workers.engine, "bruno") - ten_minutes_ago) < dt.timedelta(seconds=1)
