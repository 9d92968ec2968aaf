"""What production mode needs before any process starts: its settings file, databases, Redis.

Each step fails with a French sentence that says what to do, before anything is
started: a replica that starts and then cannot reach PostgreSQL or Redis would only
fail later, one member at a time.
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import NullPool

from bot.settings import PROJECT_ROOT, Settings

EXAMPLE = PROJECT_ROOT / ".env.production.example"
DEFAULT_ENV_FILE = PROJECT_ROOT / ".env.production"
TO_GENERATE = "a-generer"


class SetupError(RuntimeError):
    """Production mode cannot start; ``str()`` is French and says what to do."""


def create_env_file(path: Path, example: Path = EXAMPLE) -> bool:
    """Copy the example to ``path`` (mode 600) with fresh secrets; False if ``path`` exists."""
    if path.exists():
        return False
    lines = []
    for line in example.read_text(encoding="utf-8").splitlines():
        name, _, value = line.partition("=")
        if value == TO_GENERATE and not line.startswith("#"):
            line = f"{name}={secrets.token_urlsafe(32)}"
        lines.append(line)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    return True


def ensure_database(url: str) -> bool:
    """Create the PostgreSQL database of ``url`` if it is missing; True if it was created.

    SQLite needs nothing. The server's ``postgres`` database is used to look and create.
    """
    parsed = make_url(url)
    if not parsed.drivername.startswith("postgresql"):
        return False
    name = parsed.database
    if not name:
        raise SetupError(f"Aucune base nommée dans {parsed.render_as_string(hide_password=True)}.")
    admin = create_engine(
        parsed.set(
            drivername="postgresql+psycopg", database="postgres"
        ),  # env B's driver, whatever the URL names
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as connection:
            exists = connection.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            )
            if exists.first() is not None:
                return False
            quoted = connection.dialect.identifier_preparer.quote(name)
            connection.execute(text(f"CREATE DATABASE {quoted}"))
            return True
    except OperationalError as error:
        raise SetupError(
            f"PostgreSQL injoignable ({parsed.render_as_string(hide_password=True)}) : démarrez-le, "
            f"ou corrigez DATABASE_URL / TRACKER_STORE_URL. ({type(error).__name__})"
        ) from None
    finally:
        admin.dispose()


def check_redis(host: str, port: int, timeout: float = 3.0) -> None:
    """Raise ``SetupError`` unless a Redis server answers PING at ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=timeout) as connection:
            connection.sendall(b"PING\r\n")
            reply = connection.recv(64)
    except OSError:
        reply = b""
    if not reply.startswith((b"+PONG", b"-NOAUTH")):
        raise SetupError(
            f"Redis injoignable ({host}:{port}) : il tient le verrou des conversations entre les "
            "copies de Rasa. Démarrez-le, ou corrigez REDIS_HOST / REDIS_PORT."
        )


def prepare_databases(settings: Settings) -> list[str]:
    """Both databases present; the names of the ones created now."""
    created = []
    for url in (settings.database_url, settings.tracker_store_url):
        if ensure_database(url):
            created.append(str(make_url(url).database))
    return created
