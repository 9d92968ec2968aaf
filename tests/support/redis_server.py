"""Which Redis server the tests use, and what happens when none answers.

As for PostgreSQL (``tests.support.postgres``): ``REDIS_URL_TEST`` names the server
and the database number, by default ``redis://127.0.0.1:6379/13`` (a database of its
own, so that tests never meet the keys of a running Sésame, which uses database 1);
each test also puts its keys under a random prefix and deletes them. No server is
normal on a laptop (the tests are *skipped*); in CI (``CI=true``) they *fail*.
"""

from __future__ import annotations

import os
from typing import NoReturn
from urllib.parse import urlsplit

import pytest

from tests.support.postgres import in_ci

DEFAULT_URL = "redis://127.0.0.1:6379/13"
CONNECT_TIMEOUT_SECONDS = 3


def redis_url() -> str:
    return os.environ.get("REDIS_URL_TEST") or DEFAULT_URL


def shown(url: str) -> str:
    """``url`` without its password."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{host}{port}{parts.path}"


def unreachable(url: str, error: BaseException) -> NoReturn:
    """Skip the Redis tests (laptop) or fail them (``CI=true``), saying why in French."""
    reason = f"{type(error).__name__}: {str(error).strip().splitlines()[0] if str(error).strip() else ''}"
    if in_ci():
        pytest.fail(
            f"Redis ne répond pas sur {shown(url)} ({reason}). En CI (CI=true) les tests Redis "
            "sont obligatoires : démarrez le serveur ou corrigez REDIS_URL_TEST.",
            pytrace=False,
        )
    pytest.skip(
        f"Redis ne répond pas sur {shown(url)} : tests Redis ignorés. Démarrez le serveur ou "
        "indiquez-en un autre dans REDIS_URL_TEST (ils échouent au lieu d'être ignorés avec CI=true)."
    )
