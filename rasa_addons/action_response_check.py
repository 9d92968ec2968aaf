"""Check action-server answers against Rasa's schema without re-checking the schema.

Rasa 3.6 checks each answer of the action server with ``jsonschema.validate()``,
which first validates the *schema itself* against the JSON-Schema meta-schema, on
every call. The schema is a constant of Rasa, so that check gives the same result
each time and costs about 3 ms per custom action on this machine (measured with
``scripts/bench.py``) — most of a form turn's action cost. ``install()`` makes Rasa
build one validator for the schema, check the schema once, and reuse it: answers are
accepted and refused exactly as before, with the same error message.

Installed by ``rasa_addons.speedups`` (``python -m rasa_addons``).
"""

from __future__ import annotations

import functools
from typing import Any

import jsonschema
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

# Rasa's own words when it refuses an answer (rasa/core/actions/action.py).
DOCS_HINT = (
    ". Failed to validate Action server response from API, make sure your response "
    "from the Action endpoint is valid. For more information about the format visit "
    f"{DOCS_BASE_URL}/custom-actions"
)
_ORIGINAL = RemoteAction._validate_action_result


@functools.cache
def _validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, instead of once per answer
    return validator_class(schema)


def check_action_response(result: dict[str, Any]) -> bool:
    """True for a valid answer; raises ``jsonschema.ValidationError`` otherwise."""
    error = jsonschema.exceptions.best_match(_validator().iter_errors(result))
    if error is not None:
        error.message += DOCS_HINT
        raise error
    return True


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    return check_action_response(result)


def install() -> None:
    """Replace Rasa's per-answer check by ``check_action_response``."""
    _validator()
    RemoteAction._validate_action_result = _validate_action_result


def uninstall() -> None:
    """Give Rasa its own check back (used by the tests)."""
    RemoteAction._validate_action_result = _ORIGINAL
