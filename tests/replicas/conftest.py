"""Production mode for real: two replicas of everything behind HAProxy, on PostgreSQL and Redis.

One session: ``python -m bot.production`` (what ``make run-prod`` starts) on free ports,
with two throw-away PostgreSQL databases (members, conversations) dropped at the end,
and a Redis server of its own on a free port, so that the fault tests may kill and
restart it without touching the machine's. Generated members (NIRs valid by checksum)
are imported once it is up. In CI (``CI=true``) a missing PostgreSQL, Redis or HAProxy
fails the tests; on a laptop they are skipped.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.pool import NullPool
from stdnum.fr import nir as stdnum_nir

from bot.db.engine import session_scope
from bot.db.enums import AuditKind
from bot.members.importer import import_records
from bot.production.topology import HAPROXY_BINARY
from tests.support.background import ProductionBackground, ProductionFailed, production_in_background
from tests.support.postgres import database_url, in_ci

ROOT = Path(__file__).resolve().parents[2]
MODEL = ROOT / "models" / "sesame.tar.gz"
ANSWER_SECONDS = 90
NIR_HASH_KEY = "cle-de-hachage-des-tests-de-production"
CHANNEL_TOKEN = "jeton-du-canal-des-tests-de-production"  # noqa: S105 - a test value
REPLICAS = 2


def free_port_block(size: int) -> int:
    """A port ``p`` such that ``p`` … ``p + size`` are all free on 127.0.0.1 right now."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            base = int(probe.getsockname()[1])
        if base + size > 65000:
            continue
        try:
            for port in range(base, base + size + 1):
                with socket.socket() as other:
                    other.bind(("127.0.0.1", port))
        except OSError:
            continue
        return base
    raise RuntimeError("no block of free ports")


def generated_nir(index: int) -> str:
    """A NIR valid by checksum, generated for these tests (never a real person's)."""
    sex, year, month = 1 + index % 2, 70 + index, 1 + index % 12
    body = f"{sex}{year:02d}{month:02d}{(index % 90) + 1:02d}{100 + index:03d}{200 + index:03d}"
    return body + stdnum_nir.calc_check_digits(body)


def unavailable(reason: str) -> None:
    if in_ci():
        pytest.fail(
            f"Mode production non testable : {reason}. En CI ces tests sont obligatoires.", pytrace=False
        )
    pytest.skip(f"Mode production non testé : {reason}.")


@dataclass
class RedisProcess:
    """The Redis server of these tests, which the fault tests stop and start again."""

    port: int
    directory: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - Debian's redis-server
            [
                shutil.which("redis-server") or "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as connection:
                    connection.sendall(b"PING\r\n")
                    if connection.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)


@dataclass
class Production:
    """The running production mode and what the tests need to reach into it."""

    running: ProductionBackground
    web_port: int
    rasa_port: int
    members_url: str
    conversations_url: str
    redis: RedisProcess
    nirs: list[str]
    _next_member: int = 0
    _next_address: int = 10
    used_nirs: list[str] = field(default_factory=list)

    def replica_url(self, index: int) -> str:
        return f"http://127.0.0.1:{self.rasa_port + index}/webhooks/rest/webhook"

    def take_member(self) -> str:
        nir = self.nirs[self._next_member]
        self._next_member += 1
        self.used_nirs.append(nir)
        return nir

    def new_address(self) -> str:
        """A loopback address of its own: each member is a client of its own for the limits."""
        self._next_address += 1
        return f"127.0.0.{self._next_address}"

    def chat(self, sender: str, message: str, address: str = "127.0.0.1") -> httpx.Response:
        """One message through the balancer's ``POST /chat``, as the widget sends it."""
        page = f"http://127.0.0.1:{self.web_port}"
        transport = httpx.HTTPTransport(local_address=address)
        with httpx.Client(trust_env=False, timeout=ANSWER_SECONDS, transport=transport) as client:
            return client.post(
                f"{page}/chat", json={"sender": sender, "message": message}, headers={"Origin": page}
            )

    def to_replica(self, index: int, sender: str, message: str) -> list[dict[str, Any]]:
        """One message straight to Rasa replica ``index`` (1-based), signed as the web tier."""
        payload = {"sender": sender, "message": message, "metadata": {"client": "web:" + "ab" * 16}}
        with httpx.Client(trust_env=False, timeout=ANSWER_SECONDS) as client:
            answer = client.post(
                self.replica_url(index), json=payload, headers={"X-Sesame-Channel": CHANNEL_TOKEN}
            )
        answer.raise_for_status()
        messages: list[dict[str, Any]] = answer.json()
        return messages

    def pids(self) -> dict[str, int]:
        return self.running.pids()

    def signal_process(self, name: str, sig: signal.Signals) -> None:
        os.killpg(self.pids()[name], sig)

    def balancer_log(self) -> str:
        return (self.running.log_dir / "balancer.log").read_text(encoding="utf-8", errors="replace")

    def last_rasa_server(self) -> str:
        """The replica that served the latest message, from the balancer's log."""
        found: list[str] = re.findall(r"rasa_replicas/(rasa-\d+) ", self.balancer_log())
        assert found, "no Rasa request in the balancer's log"
        return found[-1]

    def balancer_log_mark(self) -> int:
        """Where the balancer's log ends now: ``wait_in_balancer_log`` looks after it only."""
        return len(self.balancer_log())

    def wait_in_balancer_log(self, pattern: str, since: int, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while not re.search(pattern, self.balancer_log()[since:]):
            assert time.monotonic() < deadline, f"not in the balancer's log after {seconds:g} s: {pattern}"
            time.sleep(0.2)

    def conversations(self) -> Engine:
        return create_engine(self.conversations_url.replace("+psycopg2", "+psycopg"), poolclass=NullPool)

    def members(self) -> Engine:
        return create_engine(self.members_url, poolclass=NullPool)

    def user_events(self, sender: str) -> list[dict[str, Any]]:
        engine = self.conversations()
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT data FROM events WHERE sender_id = :s AND type_name = 'user' ORDER BY id"),
                    {"s": sender},
                ).all()
        finally:
            engine.dispose()
        return [json.loads(row[0]) for row in rows]


def _drop(name: str) -> None:
    admin = create_engine(database_url("postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with admin.connect() as connection:
            connection.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"), {"n": name}
            )
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    finally:
        admin.dispose()


@pytest.fixture(scope="session")
def production(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Production]:
    if not MODEL.exists():
        pytest.fail("models/sesame.tar.gz is missing: run `make model` first")
    if not Path(HAPROXY_BINARY).exists():
        unavailable(f"HAProxy absent ({HAPROXY_BINARY} ; `make run-prod` l'installe)")
    if shutil.which("redis-server") is None:
        unavailable("redis-server absent")
    probe = create_engine(database_url("postgres"), poolclass=NullPool, connect_args={"connect_timeout": 3})
    try:
        with probe.connect():
            pass
    except Exception as error:  # any reason PostgreSQL does not answer
        unavailable(f"PostgreSQL injoignable ({type(error).__name__})")
    finally:
        probe.dispose()
    tmp = tmp_path_factory.mktemp("production")
    suffix = secrets.token_hex(4)
    members_db, conversations_db = f"sesame_prod_test_{suffix}", f"sesame_prod_conv_{suffix}"
    web_port, rasa_port, actions_port = (free_port_block(REPLICAS) for _ in range(3))
    redis = RedisProcess(free_port_block(0), tmp)
    redis.start()
    members_url = database_url(members_db)
    conversations_url = database_url(conversations_db, "psycopg2")
    environment = {
        "REPLICAS": str(REPLICAS),
        "WEB_PORT": str(web_port),
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "DATABASE_URL": members_url,
        "TRACKER_STORE_URL": conversations_url,
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis.port),
        "REDIS_LOCK_DB": "0",
        "REDIS_LOCK_PREFIX": f"test{suffix}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port_block(0)),
        "RESET_URL_BASE": f"http://127.0.0.1:{web_port}/reinitialiser",
        "NIR_HASH_KEY": NIR_HASH_KEY,
        "CSRF_SECRET": "secret-csrf-des-tests-de-production",
        "ACTIONS_TOKEN": "jeton-des-actions-des-tests-de-production",
        "CHANNEL_TOKEN": CHANNEL_TOKEN,
        "DB_POOL_SIZE": "2",
        "DB_MAX_OVERFLOW": "2",
        "SQL_POOL_SIZE": "2",
        "SQL_MAX_OVERFLOW": "2",
    }
    try:
        with production_in_background(tmp / "run", tmp / ".env.production", environment, MODEL) as running:
            nirs = [generated_nir(i) for i in range(12)]
            rows = [
                {
                    "nir": nir,
                    "first_name": "Essai",
                    "last_name": f"Production{i}",
                    "email": f"essai{i}@adherents.example",
                    "street": f"{i} rue des Essais",
                    "postal_code": "75011",
                    "city": "Paris",
                }
                for i, nir in enumerate(nirs)
            ]
            engine = create_engine(members_url, poolclass=NullPool)
            with session_scope(engine) as session:
                report = import_records(session, rows, NIR_HASH_KEY, AuditKind.MEMBERS_IMPORTED)
            engine.dispose()
            assert not report.errors, report.errors
            production = Production(running, web_port, rasa_port, members_url, conversations_url, redis, nirs)
            for index in range(1, REPLICAS + 1):  # each replica's first prediction is the slow one
                production.to_replica(index, f"prechauffage-{index}", "bonjour")
            yield production
    except ProductionFailed as failure:
        pytest.fail(str(failure))
    finally:
        redis.kill()
        for name in (members_db, conversations_db):
            _drop(name)
