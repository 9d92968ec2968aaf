"""The faster check of action-server answers accepts and refuses exactly what Rasa's does."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest
from rasa.core.actions.action import RemoteAction

from rasa_addons import action_response_check

ANSWERS: list[dict[str, Any]] = [
    {},
    {"events": [], "responses": []},
    {"events": [{"event": "slot", "name": "nir", "value": "[NIR masqué]"}], "responses": []},
    {"events": [{"event": "active_loop", "name": None}], "responses": [{"response": "utter_greet"}]},
    {"responses": [{"text": "Bonjour", "buttons": [{"title": "Oui", "payload": "/affirm"}]}]},
    {"events": [{"event": "followup", "name": "action_listen"}]},
    # refused:
    {"events": "slot"},
    {"events": [{"name": "nir"}]},
    {"events": [{"event": 3}]},
    {"responses": "Bonjour"},
    {"events": [{"event": "slot", "name": "nir", "value": "x", "timestamp": "hier"}]},
]


def outcome(answer: dict[str, Any]) -> str:
    try:
        RemoteAction("validate_reset_form", None)._validate_action_result(answer)
    except jsonschema.ValidationError as error:
        return f"refused: {error.message}"
    return "accepted"


@pytest.fixture
def rasa_own_outcomes() -> Iterator[list[str]]:
    action_response_check.uninstall()
    yield [outcome(answer) for answer in ANSWERS]
    action_response_check.uninstall()


def test_same_verdict_and_message_as_rasa_for_every_answer(rasa_own_outcomes: list[str]) -> None:
    action_response_check.install()
    ours = [outcome(answer) for answer in ANSWERS]
    assert ours == rasa_own_outcomes
    assert ours.count("accepted") == 6  # the sample really holds both kinds


def test_refusal_points_to_the_documentation() -> None:
    with pytest.raises(jsonschema.ValidationError, match="custom-actions"):
        action_response_check.check_action_response({"events": "slot"})
