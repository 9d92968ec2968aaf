"""Connection pools sized so that every replica together stays under PostgreSQL's max_connections."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from bot.cli.members import main as db_main
from bot.db import pools
from bot.db.engine import make_engine
from bot.launcher import child_environment
from bot.settings import Settings, get_settings


def test_the_formula_for_one_of_each_and_for_two_replicas() -> None:
    settings = Settings.from_values({})
    one = 1 * 10 + (2 + 1 + 1) * 10 + 1 + pools.RESERVED
    assert pools.connections_needed(settings, pools.Replicas()) == one
    two = pools.Replicas(rasa=2, web=2, actions=2, mail_worker=1)
    # Each web worker also holds its LISTEN connection (bot.web.push).
    assert pools.connections_needed(settings, two) == 2 * 10 + (4 + 2 + 1) * 10 + 2 + pools.RESERVED == 97
    # Rasa's own defaults (50 + 100 per replica) could never fit two replicas in 100 connections.
    rasa_defaults = Settings.from_values({"SQL_POOL_SIZE": "50", "SQL_MAX_OVERFLOW": "100"})
    assert pools.connections_needed(rasa_defaults, two) > 100


def test_rasa_receives_its_pool_sizes_from_the_launcher(tmp_path: Path) -> None:
    settings = Settings.from_values({"SQL_POOL_SIZE": "3", "SQL_MAX_OVERFLOW": "2"})
    env = child_environment(settings, tmp_path / "mail", tmp_path / "model.tar.gz")
    assert (env["SQL_POOL_SIZE"], env["SQL_MAX_OVERFLOW"]) == ("3", "2")  # the names Rasa reads


def test_the_member_database_engine_is_bounded_on_postgresql(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DB_POOL_SIZE", "3")
    monkeypatch.setenv("DB_MAX_OVERFLOW", "4")
    get_settings.cache_clear()
    make_engine.cache_clear()
    engine = make_engine(postgres_url)
    try:
        assert engine.pool.size() == 3  # type: ignore[attr-defined]
        assert engine.pool._max_overflow == 4  # type: ignore[attr-defined]
    finally:
        engine.dispose()
        make_engine.cache_clear()


def test_the_command_compares_with_the_servers_max_connections(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", postgres_url)
    make_engine.cache_clear()
    probe = create_engine(postgres_url)
    with probe.connect() as connection:
        server_max = int(connection.execute(text("SHOW max_connections")).scalar_one())
    probe.dispose()
    assert db_main(["db", "pools", "--rasa", "2", "--web", "2", "--actions", "2"]) == 0
    out = capsys.readouterr().out
    assert f"PostgreSQL accepte {server_max} connexions : la configuration tient." in out
    monkeypatch.setenv("DB_POOL_SIZE", "40")
    get_settings.cache_clear()
    assert db_main(["db", "pools", "--rasa", "2", "--web", "2", "--actions", "2"]) == 1
    assert "la configuration DÉPASSE" in capsys.readouterr().out
    make_engine.cache_clear()
