"""Retention periods come from the settings, and none may keep nothing or everything."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from bot.settings import AUDIT_RETENTION_FLOOR_DAYS, DEFAULTS, SettingsError, load_settings
from tests.conftest import ROOT

PERIODS = [name for name in DEFAULTS if name.startswith("RETENTION_")]


def test_every_kind_of_record_has_a_period_by_default() -> None:
    assert PERIODS == [
        "RETENTION_CONVERSATIONS_DAYS",
        "RETENTION_HANDOFFS_DAYS",
        "RETENTION_NIR_LOOKUPS_DAYS",
        "RETENTION_RESETS_DAYS",
        "RETENTION_AUDIT_DAYS",
    ]
    settings = load_settings(Path("/nonexistent"), environ={})
    assert [getattr(settings, name.lower()) for name in PERIODS] == [90, 90, 180, 365, 365]


@pytest.mark.parametrize("name", PERIODS)
@pytest.mark.parametrize("value", ["0", "-30"])
def test_zero_or_negative_is_refused_in_french(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=f"{name} doit être un nombre de jours supérieur ou égal à 1"):
        load_settings(Path("/nonexistent"), environ={name: value})


def test_an_audit_period_shorter_than_the_triggers_floor_is_refused() -> None:
    with pytest.raises(SettingsError, match="RETENTION_AUDIT_DAYS doit valoir au moins 180 jours"):
        load_settings(Path("/nonexistent"), environ={"RETENTION_AUDIT_DAYS": "179"})
    assert (
        load_settings(Path("/nonexistent"), environ={"RETENTION_AUDIT_DAYS": "180"}).retention_audit_days
        == 180
    )


def test_the_floor_is_the_one_the_migration_writes_in_the_triggers() -> None:
    path = ROOT / "migrations" / "versions" / "0010_audit_purge_after_retention.py"
    spec = importlib.util.spec_from_file_location("migration_0010", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.FLOOR_DAYS == AUDIT_RETENTION_FLOOR_DAYS
