"""Debug-log arguments are copied only while debug logs are on, and only debug-log arguments."""

from __future__ import annotations

import ast
import importlib
import inspect
import logging
from collections.abc import Iterator

import pytest
from rasa.utils.log_utils import configure_structlog

from rasa_addons import debug_copies


@pytest.fixture(autouse=True)
def rasa_as_it_comes() -> Iterator[None]:
    debug_copies.uninstall()
    yield
    debug_copies.uninstall()
    configure_structlog(logging.INFO)


def debug_log_calls(tree: ast.AST) -> set[int]:
    """The ids of every node inside a ``structlogger.debug(…)`` call's arguments."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "debug"
            and isinstance(node.func.value, ast.Name)
            and node.func.value.id == "structlogger"
        ):
            for argument in [*node.args, *(keyword.value for keyword in node.keywords)]:
                inside.update(id(child) for child in ast.walk(argument))
    return inside


@pytest.mark.parametrize("name", debug_copies.MODULES)
def test_every_copy_in_those_modules_feeds_a_debug_log(name: str) -> None:
    tree = ast.parse(inspect.getsource(importlib.import_module(name)))
    inside = debug_log_calls(tree)
    uses = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "copy"
    ]
    assert uses, "the module no longer copies anything: the patch is useless there"
    assert all(node.attr == "deepcopy" and id(node) in inside for node in uses)


def test_no_copy_with_debug_logs_off_a_real_one_with_them_on() -> None:
    debug_copies.install()
    processor = importlib.import_module("rasa.core.processor")
    events = [{"event": "slot", "value": [1, 2]}]
    configure_structlog(logging.INFO)
    assert processor.copy.deepcopy(events) is events
    configure_structlog(logging.DEBUG)
    copied = processor.copy.deepcopy(events)
    assert copied == events and copied is not events and copied[0]["value"] is not events[0]["value"]
    assert processor.copy.copy is __import__("copy").copy


def test_uninstall_gives_the_real_module_back() -> None:
    debug_copies.install()
    debug_copies.uninstall()
    assert all(importlib.import_module(name).copy is __import__("copy") for name in debug_copies.MODULES)
