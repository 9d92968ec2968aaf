"""The library never imports the command-line scripts nor the tests: they import it, not the reverse.

``scripts/`` holds benches (they may use ``bot/`` and the tests' harness,
``tests/support/background.py``); ``tests/`` holds tests. What ``bot/``, ``actions/``
and ``rasa_addons/`` need from either belongs in ``bot/`` (the NLU data tools live in
``bot/training/``).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import ROOT

LIBRARY = ("bot", "actions", "rasa_addons")
NOT_FOR_THE_LIBRARY = {"scripts", "tests"}


def imported_roots(source: str) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def library_modules() -> list[Path]:
    paths = [p for package in LIBRARY for p in sorted((ROOT / package).rglob("*.py"))]
    return [p for p in paths if "tests" not in p.relative_to(ROOT).parts]


def test_the_check_sees_imports_inside_functions_too() -> None:
    assert imported_roots("def f():\n    from scripts import noise\n    import tests.support\n") == {
        "scripts",
        "tests",
    }


@pytest.mark.parametrize("path", library_modules(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_the_library_imports_neither_scripts_nor_tests(path: Path) -> None:
    assert imported_roots(path.read_text(encoding="utf-8")) & NOT_FOR_THE_LIBRARY == set()
