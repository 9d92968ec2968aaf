"""Without a PostgreSQL server the PostgreSQL tests are skipped on a laptop and fail in CI.

Each case runs a one-test pytest session in a subprocess, aimed at a closed port,
since skip-or-fail happens in a session fixture of the real run.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.postgres import server_url

ROOT = Path(__file__).resolve().parents[2]


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def run_pytest_against_nothing(tmp_path: Path, ci: str | None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "conftest.py").write_text(
        "from tests.support.db import postgres_url  # noqa: F401\n", encoding="utf-8"
    )
    (tmp_path / "test_needs_postgres.py").write_text(
        "def test_needs_postgres(postgres_url):\n    assert postgres_url\n", encoding="utf-8"
    )
    env = {key: value for key, value in os.environ.items() if key not in ("CI", "SESAME_TEST_PG_URL")}
    env.update(
        PYTHONPATH=str(ROOT), DATABASE_URL_TEST=f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}"
    )
    if ci is not None:
        env["CI"] = ci
    return subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-m", "pytest", "-q", "-rsE", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_on_a_laptop_they_are_skipped_with_a_french_reason(tmp_path: Path) -> None:
    result = run_pytest_against_nothing(tmp_path, ci=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 skipped" in result.stdout
    assert "PostgreSQL ne répond pas sur" in result.stdout
    assert "DATABASE_URL_TEST" in result.stdout


def test_in_ci_they_fail(tmp_path: Path) -> None:
    result = run_pytest_against_nothing(tmp_path, ci="true")
    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 error" in result.stdout
    assert "skipped" not in result.stdout
    assert "En CI (CI=true) les tests PostgreSQL sont obligatoires" in result.stdout


def test_ci_set_to_something_else_still_skips(tmp_path: Path) -> None:
    assert run_pytest_against_nothing(tmp_path, ci="false").returncode == 0


def test_the_server_url_comes_from_database_url_test(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL_TEST", "postgresql+psycopg://alice:s3cret@db.example:6543/ignored")
    assert server_url() == "postgresql+psycopg://alice:s3cret@db.example:6543"
    assert server_url("psycopg2") == "postgresql+psycopg2://alice:s3cret@db.example:6543"
    monkeypatch.delenv("DATABASE_URL_TEST")
    monkeypatch.setenv("SESAME_TEST_PG_URL", "postgresql+psycopg://bob@old.example:5432")
    assert server_url() == "postgresql+psycopg://bob@old.example:5432"
    monkeypatch.delenv("SESAME_TEST_PG_URL")
    assert server_url() == "postgresql+psycopg://postgres@127.0.0.1:5432"
