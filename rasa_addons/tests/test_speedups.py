"""The speed-ups go in only on the Rasa version they were checked against."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import Event

from rasa_addons import action_response_check, event_types, speedups


@pytest.fixture(autouse=True)
def rasa_as_it_comes() -> Iterator[None]:
    speedups.uninstall()
    yield
    speedups.uninstall()


def test_installed_on_the_pinned_rasa() -> None:
    assert speedups.install()
    assert RemoteAction._validate_action_result is not action_response_check._ORIGINAL
    assert Event.resolve_by_type is not event_types._ORIGINAL


def test_another_rasa_version_runs_rasa_as_it_comes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rasa, "__version__", "3.7.0")
    assert not speedups.install()
    assert RemoteAction._validate_action_result is action_response_check._ORIGINAL
    assert Event.resolve_by_type is event_types._ORIGINAL
