"""Settings: process environment over .env over defaults; .env.example stays true."""

from __future__ import annotations

from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.settings import DEFAULTS, Settings, SettingsError, load_settings, shell_exports
from tests.conftest import ROOT


def test_env_example_documents_every_setting_with_its_default() -> None:
    documented = dotenv_values(ROOT / ".env.example")
    assert dict(documented) == DEFAULTS


def test_process_environment_wins_over_dotenv(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("RASA_PORT=6000\nSMTP_PORT=2525\n", encoding="utf-8")
    settings = load_settings(env_file, environ={"RASA_PORT": "7000"})
    assert settings.rasa_port == 7000
    assert settings.smtp_port == 2525
    assert settings.actions_port == int(DEFAULTS["ACTIONS_PORT"])


def test_missing_dotenv_gives_defaults(tmp_path: Path) -> None:
    derived = {"RESET_URL_BASE": "http://127.0.0.1:8080/reinitialiser"}  # from WEB_PORT
    assert load_settings(tmp_path / "absent", environ={}).as_env() == {**DEFAULTS, **derived}


def test_bad_integer_gets_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="RASA_PORT doit être un nombre entier"):
        load_settings(tmp_path / "absent", environ={"RASA_PORT": "cinq"})


def test_bad_boolean_gets_a_french_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SMTP_STARTTLS doit valoir true ou false"):
        load_settings(tmp_path / "absent", environ={"SMTP_STARTTLS": "peut-être"})


def test_presence_and_the_wait_offer_have_french_bounds(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent", environ={})
    assert (settings.agent_presence_seconds, settings.handoff_wait_offer_seconds) == (60, 300)
    with pytest.raises(SettingsError, match="AGENT_PRESENCE_SECONDS doit valoir au moins 1"):
        load_settings(tmp_path / "absent", environ={"AGENT_PRESENCE_SECONDS": "0"})
    with pytest.raises(SettingsError, match="HANDOFF_WAIT_OFFER_SECONDS ne peut pas être négatif"):
        load_settings(tmp_path / "absent", environ={"HANDOFF_WAIT_OFFER_SECONDS": "-5"})
    assert (
        load_settings(
            tmp_path / "absent", environ={"HANDOFF_WAIT_OFFER_SECONDS": "0"}
        ).handoff_wait_offer_seconds
        == 0
    )


def test_repr_never_shows_a_secret(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / "absent", environ={"NIR_HASH_KEY": "s3cret-key", "CSRF_SECRET": "c5rf"}
    )
    assert "s3cret-key" not in repr(settings) and "c5rf" not in repr(settings)


def test_shell_exports_quote_values(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent", environ={"MAIL_FROM": "A B <a@b.fr>"})
    assert "export MAIL_FROM='A B <a@b.fr>'" in shell_exports(settings).splitlines()


def test_shell_exports_never_print_secrets(tmp_path: Path) -> None:
    settings = load_settings(
        tmp_path / "absent", environ={"NIR_HASH_KEY": "s3cret-key", "SMTP_PASSWORD": "pw-42"}
    )
    exported = shell_exports(settings)
    assert "s3cret-key" not in exported and "pw-42" not in exported
    assert "export RASA_PORT=5005" in exported.splitlines()


def test_production_refuses_the_development_keys(tmp_path: Path) -> None:
    tokens = {"ACTIONS_TOKEN": "t", "CHANNEL_TOKEN": "c"}
    settings = load_settings(tmp_path / "absent", environ={"SESAME_MODE": "production", **tokens})
    with pytest.raises(
        SettingsError, match="NIR_HASH_KEY et CSRF_SECRET ont encore leur valeur de développement"
    ):
        settings.check_safe_to_serve()
    real = {"NIR_HASH_KEY": "k" * 40, "CSRF_SECRET": "c" * 40}
    load_settings(
        tmp_path / "absent", environ={"SESAME_MODE": "production", **tokens, **real}
    ).check_safe_to_serve()
    with pytest.raises(SettingsError, match="ACTIONS_TOKEN est vide"):
        load_settings(
            tmp_path / "absent", environ={"SESAME_MODE": "production", **real}
        ).check_safe_to_serve()


def test_the_demo_may_use_the_development_keys(tmp_path: Path) -> None:
    settings = load_settings(tmp_path / "absent", environ={})
    assert settings.is_demo and settings.development_secrets_in_use() == ["NIR_HASH_KEY", "CSRF_SECRET"]
    settings.check_safe_to_serve()


def test_an_unknown_mode_is_refused(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="SESAME_MODE doit valoir demo ou production"):
        load_settings(tmp_path / "absent", environ={"SESAME_MODE": "prod"})


def test_the_reset_link_follows_the_web_port_unless_set() -> None:
    """Issue 21: with WEB_PORT=8090 the e-mailed link pointed to :8080 and was dead."""
    assert Settings.from_values({"WEB_PORT": "8090"}).reset_url_base == "http://127.0.0.1:8090/reinitialiser"
    assert Settings.from_values({}).reset_url_base == "http://127.0.0.1:8080/reinitialiser"
    public = "https://sesame.acs-assurances.example/reinitialiser"
    assert Settings.from_values({"WEB_PORT": "8090", "RESET_URL_BASE": public}).reset_url_base == public
