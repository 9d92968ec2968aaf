"""Trainers are not programmers: what the workbench shows them names its buttons, never a make
target (issue #22: « messages mention make test, make check-data, make report »).

Scanned: the workbench's templates and script, and every string of the Python modules whose
messages reach a trainer (docstrings and comments aside: they are for developers), and the
check's text as the workbench shows it.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.training.check import AGAIN_IN_THE_WORKBENCH, CheckResult, render
from bot.training.lint import Problem
from bot.training.project import Where
from tests.conftest import ROOT

MAKE = re.compile(r"\bmake\s+[a-z]|`make\b|« make")
TRAINER_MODULES = [
    *sorted((ROOT / "bot" / "workbench").glob("*.py")),
    *sorted((ROOT / "bot" / "web").glob("workbench_*.py")),
    *sorted((ROOT / "bot" / "web" / "routes").glob("workbench_*.py")),
    ROOT / "bot" / "web" / "schemas" / "workbench_stories.py",
    ROOT / "bot" / "training" / "lint.py",
    ROOT / "bot" / "training" / "coverage.py",
    ROOT / "bot" / "releases" / "loading.py",
]
TRAINER_PAGES = [
    *sorted((ROOT / "bot" / "web" / "templates").glob("atelier_*.html")),
    ROOT / "bot" / "web" / "static" / "atelier.js",
]


def _strings(path: Path) -> list[tuple[int, str]]:
    """Every string literal of a module but its docstrings (module, classes, functions)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.add(id(body[0].value))
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
    ]


def test_no_make_target_in_what_trainers_read() -> None:
    found = [
        f"{path.relative_to(ROOT)}:{line}: {text!r}"
        for path in TRAINER_MODULES
        for line, text in _strings(path)
        if MAKE.search(text)
    ]
    for page in TRAINER_PAGES:
        text = re.sub(r"\{#.*?#\}|/\*.*?\*/", "", page.read_text(encoding="utf-8"), flags=re.DOTALL)
        found += [f"{page.relative_to(ROOT)}: {m.group(0)!r}" for m in MAKE.finditer(text)]
    assert found == []


def test_the_scan_would_see_one() -> None:
    assert MAKE.search("relancez « make check-data » ensuite.") and MAKE.search("lancez `make test`")
    assert not MAKE.search("Sésame fait une action programmée")


def test_the_check_tells_trainers_to_press_its_button() -> None:
    failed = CheckResult(problems=[Problem("doublon", Where("data/nlu/code_acces.yml", 3), "en double")])
    text = render(failed, AGAIN_IN_THE_WORKBENCH)
    assert "« Lancer la vérification »" in text and not MAKE.search(text)
    assert "make check-data" in render(failed)  # the terminal's readers are developers
