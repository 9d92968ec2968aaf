"""What the production benchmark needs around the bots: ports, clean-up, memory, machine facts.

- ``free_port_block``: a balancer port whose replicas' ports (port + 1 … port + n) are
  free too (production mode's convention, ``bot.production.topology``).
- ``drop_databases`` and ``delete_redis_keys``: the throw-away PostgreSQL databases and
  the Redis keys under the bench's own prefix go away at the end (env B has no Redis
  client library: three RESP commands over a socket are enough).
- ``group_memory``: resident memory of a process group (``/proc/<pid>/status``), since
  every process of production mode is started in its own session through a shell.
"""

from __future__ import annotations

import os
import platform
import re
import socket
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from tests.support.background import free_port

PROC = Path("/proc")
POSTGRES = "postgres@127.0.0.1:5432"
REDIS_HOST, REDIS_PORT, REDIS_DB = "127.0.0.1", 6379, 14


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port_block(replicas: int) -> int:
    """A free port ``p`` such that ``p + 1`` … ``p + replicas`` are free too."""
    for _ in range(200):
        port = free_port()
        if port + replicas < 65536 and all(port_is_free(port + i) for i in range(1, replicas + 1)):
            return port
    raise RuntimeError(f"no block of {replicas + 1} free ports found")


def drop_databases(*urls: str) -> list[str]:
    """Drop each URL's PostgreSQL database (sessions closed by force); the names dropped."""
    dropped = []
    for url in urls:
        parsed = make_url(url)
        admin = parsed.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as connection:
            name = str(parsed.database)
            query = sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            connection.execute(query)
            dropped.append(name)
    return dropped


def _command(*parts: str) -> bytes:
    encoded = [part.encode() for part in parts]
    return b"*%d\r\n" % len(encoded) + b"".join(b"$%d\r\n%s\r\n" % (len(p), p) for p in encoded)


def _read_reply(stream: socket.SocketIO) -> object:
    """One RESP reply: str, int, None, or a list of them."""
    line = stream.readline().rstrip(b"\r\n")
    kind, rest = line[:1], line[1:]
    if kind == b"+":
        return rest.decode()
    if kind == b"-":
        raise RuntimeError(f"Redis: {rest.decode()}")
    if kind == b":":
        return int(rest)
    if kind == b"$":
        size = int(rest)
        if size < 0:
            return None
        data = b""
        while len(data) < size + 2:
            data += stream.read(size + 2 - len(data))
        return data[:-2].decode()
    if kind == b"*":
        return [_read_reply(stream) for _ in range(int(rest))]
    raise RuntimeError(f"Redis: unexpected reply {line!r}")


def delete_redis_keys(host: str, port: int, db: int, prefix: str) -> int:
    """Delete every key of Redis database ``db`` that starts with ``prefix``; how many."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]+", prefix):
        raise ValueError("a key prefix of letters, digits, '_', '-' and '.' only")
    deleted = 0
    with socket.create_connection((host, port), timeout=5) as connection:
        stream = socket.SocketIO(connection, "rwb")

        def call(*parts: str) -> object:
            stream.write(_command(*parts))
            return _read_reply(stream)

        call("SELECT", str(db))
        cursor = "0"
        while True:
            reply = call("SCAN", cursor, "MATCH", f"{prefix}*", "COUNT", "1000")
            assert isinstance(reply, list)
            cursor, keys = str(reply[0]), [str(k) for k in reply[1]]
            if keys:
                count = call("DEL", *keys)
                deleted += count if isinstance(count, int) else 0
            if cursor == "0":
                return deleted


@dataclass(frozen=True)
class Memory:
    """Resident memory of a group of processes, in MB: now, and the sum of each one's peak."""

    rss_mb: float
    peak_mb: float
    processes: int


def _status(pid: int) -> dict[str, str]:
    try:
        lines = (PROC / str(pid) / "status").read_text().splitlines()
    except OSError:
        return {}
    return {name: value.strip() for name, _, value in (line.partition(":") for line in lines)}


def _kilobytes(value: str | None) -> int:
    return int(value.split()[0]) if value else 0


def group_memory(group: int) -> Memory:
    """Every live process whose process group is ``group`` (a shell, its children)."""
    rss = peak = count = 0
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if os.getpgid(int(entry.name)) != group:
                continue
        except OSError:
            continue
        status = _status(int(entry.name))
        rss += _kilobytes(status.get("VmRSS"))
        peak += _kilobytes(status.get("VmHWM"))
        count += 1
    return Memory(round(rss / 1024, 1), round(peak / 1024, 1), count)


def machine_facts() -> dict[str, object]:
    """Cores, memory, load averages now, kernel and CPU model: the context of the numbers."""
    load = os.getloadavg()
    meminfo = {
        k: v for k, _, v in (line.partition(":") for line in Path("/proc/meminfo").read_text().splitlines())
    }
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor() or "?",
    )  # fmt: skip
    return {
        "cores": os.cpu_count(),
        "cpu": cpu,
        "memory_mb": round(_kilobytes(meminfo.get("MemTotal")) / 1024),
        "load_average": [round(x, 2) for x in load],
        "kernel": platform.release(),
    }


def production_environment(replicas: int, tag: str) -> dict[str, str]:
    """Production mode's settings for a bench run: free ports, throw-away databases named after
    ``tag``, Redis database 14 under the prefix ``banc-<tag>``, and the global pauses of NIR
    look-ups and reset requests raised (sized to real traffic, they would stop a load test)."""
    web_port, rasa_port, actions_port = (free_port_block(replicas) for _ in range(3))
    return {
        "REPLICAS": str(replicas),
        "WEB_PORT": str(web_port),
        "RASA_PORT": str(rasa_port),
        "ACTIONS_PORT": str(actions_port),
        "DATABASE_URL": f"postgresql+psycopg://{POSTGRES}/banc_{tag}",
        "TRACKER_STORE_URL": f"postgresql+psycopg2://{POSTGRES}/banc_{tag}_conversations",
        "REDIS_HOST": REDIS_HOST,
        "REDIS_PORT": str(REDIS_PORT),
        "REDIS_LOCK_DB": str(REDIS_DB),
        "REDIS_LOCK_PREFIX": f"banc-{tag}",
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(free_port()),
        "SMTP_STARTTLS": "false",
        "SMTP_USER": "",
        "SMTP_PASSWORD": "",
        "RESET_URL_BASE": f"http://127.0.0.1:{web_port}/reinitialiser",
        "LOOKUPS_PER_MINUTE": "100000",
        "RESET_REQUESTS_PER_MINUTE": "100000",
    }


def clean_up(environment: dict[str, str]) -> str:
    """Drop the run's databases and delete its Redis keys; what was done, in French."""
    dropped = drop_databases(environment["DATABASE_URL"], environment["TRACKER_STORE_URL"])
    deleted = delete_redis_keys(REDIS_HOST, REDIS_PORT, REDIS_DB, environment["REDIS_LOCK_PREFIX"])
    return f"bases {', '.join(dropped)} supprimées, {deleted} clé(s) Redis supprimée(s)"
