"""``./sesame model rollback`` from another shell signs its request with the token ``make run`` drew."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import run_token
from bot.cli.main import main
from bot.releases import history, loading
from bot.settings import Settings

DRAWN = "jeton-tire-pour-ce-lancement"


@pytest.fixture
def rasa_port(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> int:
    """Settings as under ``make run`` with nothing configured: no CHANNEL_TOKEN, no ``.env``."""
    port = 40000 + os.getpid() % 20000  # only names the run file: one per test process
    monkeypatch.setenv("SESAME_ENV_FILE", str(tmp_path / "absent.env"))
    monkeypatch.setenv("CHANNEL_TOKEN", "")
    monkeypatch.setenv("RASA_PORT", str(port))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'members.db'}")
    return port


@pytest.fixture
def signed_with(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The token each rollback would send to Rasa (the request itself is tested in tests/e2e)."""
    tokens: list[str] = []

    def fake_rollback(engine: Engine, settings: Settings, actor: str) -> history.Releases:
        tokens.append(settings.channel_token)
        return history.Releases("sesame-20261127-093000.tar.gz", "sesame-20261130-100000.tar.gz")

    monkeypatch.setattr(loading, "rollback", fake_rollback)
    return tokens


def test_rollback_finds_the_token_make_run_drew_for_this_run(
    rasa_port: int, signed_with: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with run_token.published(DRAWN, rasa_port):
        assert run_token.token_file(rasa_port).stat().st_mode & 0o777 == 0o600
        assert main(["model", "rollback"]) == 0
    assert signed_with == [DRAWN]
    assert capsys.readouterr().out == (
        "Modèle actif : sesame-20261127-093000.tar.gz (précédent : sesame-20261130-100000.tar.gz).\n"
    )
    assert not run_token.token_file(rasa_port).exists()  # gone when make run stops


def test_without_make_run_nor_a_token_the_rollback_says_what_to_do(
    rasa_port: int, signed_with: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["model", "rollback"]) == 1
    said = capsys.readouterr().err
    assert said.startswith("CHANNEL_TOKEN est vide et Sésame ne semble pas lancé par `make run`")
    assert f"RASA_PORT={rasa_port}" in said
    assert signed_with == []


def test_a_configured_token_wins_over_the_run_file(
    rasa_port: int, signed_with: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHANNEL_TOKEN", "jeton-de-env")
    with run_token.published(DRAWN, rasa_port):
        assert main(["model", "rollback"]) == 0
    assert signed_with == ["jeton-de-env"]
