"""Sésame's speed-ups to the Rasa server, each measured with ``scripts/bench.py``.

- ``action_response_check``: the action server's answers are checked against Rasa's
  schema with a validator built once (Rasa re-checked the schema itself at every
  call, about 3 ms per custom action);
- ``event_types``: stored events find their class with a table look-up instead of
  a walk of the class tree (about 1.4 ms per message in a form).

Behaviour is unchanged (``rasa_addons/tests`` compares each with Rasa's own code).
They replace internals of Rasa, so they are installed only on the version they were
written and tested against; on any other, Rasa runs as it is, only slower.
"""

from __future__ import annotations

import logging

import rasa

from rasa_addons import action_response_check, event_types

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6.21"


def install() -> bool:
    """Install every speed-up; False, and nothing changed, on another Rasa version."""
    if rasa.__version__ != SUPPORTED_RASA:
        logger.warning(
            "rasa %s: Sésame's speed-ups are off (written for rasa %s)", rasa.__version__, SUPPORTED_RASA
        )
        return False
    action_response_check.install()
    event_types.install()
    return True


def uninstall() -> None:
    """Rasa as it comes (used by the tests)."""
    action_response_check.uninstall()
    event_types.uninstall()
