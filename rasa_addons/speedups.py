"""Sésame's speed-ups to the Rasa server, each measured with ``scripts/bench.py``.

- ``action_response_check``: the action server's answers are checked against Rasa's
  schema with a validator built once (Rasa re-checked the schema itself at every
  call, about 3 ms per custom action);
- ``event_types``: stored events find their class with a table look-up instead of
  a walk of the class tree (about 1.4 ms per message in a form);
- ``incremental_tracker_store``: each message reads only the conversation's new events
  from the store, instead of decoding and replaying all of them (issue #24);
- ``rule_history``: RulePolicy builds the states of the conversation's last few actions
  only, as long as its longest rule, not of the whole conversation (issue #24);
- ``debug_copies``: the deep copies Rasa makes of what it logs at debug level are made
  only when debug logs are on (issue #24);
- ``kept_connections``: calls to the action server reuse their connection instead of
  opening a new one each time (issue #24).

Behaviour is unchanged (``rasa_addons/tests`` compares each with Rasa's own code).
They replace internals of Rasa, so they are installed only on the version they were
written and tested against; on any other, Rasa runs as it is, only slower. The modules
that touch Rasa's internals are imported only after that check: on another version an
internal may have moved, and importing it would crash the server instead of leaving
it unpatched. The version itself comes from the package metadata, not from ``rasa``.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import logging

logger = logging.getLogger(__name__)

SUPPORTED_RASA = "3.6.21"

# The modules that patch Rasa, in install order; imported by name only when installing.
SPEEDUP_MODULES = (
    "rasa_addons.action_response_check",
    "rasa_addons.event_types",
    "rasa_addons.incremental_tracker_store",
    "rasa_addons.kept_connections",
    "rasa_addons.rule_history",
    "rasa_addons.debug_copies",
)


def rasa_version() -> str:
    """The installed Rasa's version, read without importing Rasa."""
    return importlib.metadata.version("rasa")


def install() -> bool:
    """Install every speed-up; False, and nothing imported nor changed, on another Rasa version."""
    version = rasa_version()
    if version != SUPPORTED_RASA:
        logger.warning("rasa %s: Sésame's speed-ups are off (written for rasa %s)", version, SUPPORTED_RASA)
        return False
    for name in SPEEDUP_MODULES:
        importlib.import_module(name).install()
    return True


def uninstall() -> None:
    """Rasa as it comes (used by the tests)."""
    for name in SPEEDUP_MODULES:
        importlib.import_module(name).uninstall()
