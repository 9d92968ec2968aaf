"""The speed-ups go in only on the Rasa version they were checked against."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import rasa.core.processor
from rasa.core.actions.action import RemoteAction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.events import Event
from rasa.utils.endpoints import EndpointConfig

from rasa_addons import (
    action_response_check,
    debug_copies,
    event_types,
    incremental_tracker_store,
    kept_connections,
    rule_history,
    speedups,
)
from rasa_addons.redacting_tracker_store import RedactingSQLTrackerStore


@pytest.fixture(autouse=True)
def rasa_as_it_comes() -> Iterator[None]:
    speedups.uninstall()
    yield
    speedups.uninstall()


def test_installed_on_the_pinned_rasa() -> None:
    assert speedups.install()
    assert RemoteAction._validate_action_result is not action_response_check._ORIGINAL
    assert Event.resolve_by_type is not event_types._ORIGINAL
    assert RedactingSQLTrackerStore._retrieve is not incremental_tracker_store._ORIGINAL_RETRIEVE
    assert EndpointConfig.session is not kept_connections._ORIGINAL
    assert RulePolicy._find_action_from_rules is not rule_history._ORIGINAL_FIND
    assert isinstance(rasa.core.processor.copy, debug_copies.CopiesForDebugOnly)


def test_another_rasa_version_runs_rasa_as_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(speedups, "rasa_version", lambda: "3.7.0")
    assert not speedups.install()
    assert RemoteAction._validate_action_result is action_response_check._ORIGINAL
    assert Event.resolve_by_type is event_types._ORIGINAL
    assert RedactingSQLTrackerStore._retrieve is incremental_tracker_store._ORIGINAL_RETRIEVE
    assert EndpointConfig.session is kept_connections._ORIGINAL
    assert RulePolicy._find_action_from_rules is rule_history._ORIGINAL_FIND
    assert rasa.core.processor.copy is copy


# What another Rasa version sees, in a fresh interpreter: nothing of Rasa imported.
OTHER_VERSION = """
import sys
from rasa_addons import speedups
speedups.rasa_version = lambda: "3.7.0"
assert speedups.install() is False
loaded = sorted(m for m in sys.modules if m == "rasa" or m.startswith(("rasa.", "rasa_addons.")))
print(",".join(loaded))
"""


def test_another_rasa_version_imports_no_rasa_internals() -> None:
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(  # noqa: S603 - this interpreter, fixed arguments
        [sys.executable, "-c", OTHER_VERSION],
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert result.stdout.strip() == "rasa_addons.speedups"
    assert "speed-ups are off" in result.stderr


def test_the_pinned_version_is_read_from_the_metadata() -> None:
    import rasa

    assert speedups.rasa_version() == rasa.__version__
