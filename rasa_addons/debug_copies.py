"""Rasa copies what it logs at debug level only when debug logs are on.

Rasa 3.6 writes ``structlogger.debug("…", events=copy.deepcopy(events))`` in its message
processor, forms and RulePolicy: Python evaluates the deep copy (of the turn's events,
the parse data, the latest message…) before structlog drops the call, on every message,
with debug logs off as in production. That was about 3 % of the Rasa server's CPU
(issue #24). The copies exist because Rasa's log anonymiser may change what it logs.

In those three modules every ``copy.deepcopy`` feeds a debug log, and nothing else
(checked for Rasa 3.6.21, the version these speed-ups are installed on). ``install()``
gives them a ``copy`` module whose ``deepcopy`` copies when structlog's debug level is on,
and otherwise hands the value back as it is: structlog then drops the call without
looking at it. Everything else of ``copy`` is the real module.
"""

from __future__ import annotations

import copy
import importlib
from types import ModuleType
from typing import Any

import structlog
from structlog import _native

# Rasa's modules whose copy.deepcopy calls are all arguments of structlogger.debug(…).
MODULES = ("rasa.core.processor", "rasa.core.actions.forms", "rasa.core.policies.rule_policy")


def debug_logs_on() -> bool:
    """Whether structlog keeps debug calls (Rasa configures a filtering logger at start)."""
    wrapper = structlog.get_config().get("wrapper_class")
    return getattr(wrapper, "debug", None) is not _native._nop


class CopiesForDebugOnly(ModuleType):
    """The ``copy`` module, but ``deepcopy`` copies only while debug logs are on."""

    def __init__(self) -> None:
        super().__init__("copy")

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return copy.deepcopy(value, memo) if debug_logs_on() else value


def install() -> None:
    for name in MODULES:
        importlib.import_module(name).copy = CopiesForDebugOnly()  # type: ignore[attr-defined]


def uninstall() -> None:
    """Rasa's modules get the real ``copy`` back (used by the tests)."""
    for name in MODULES:
        importlib.import_module(name).copy = copy  # type: ignore[attr-defined]
