"""``bot/shared`` runs inside the Rasa server too: it may import only the standard library."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[2] / "bot" / "shared"


def _imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


@pytest.mark.parametrize("path", sorted(SHARED.glob("*.py")), ids=lambda p: p.name)
def test_shared_module_imports_only_the_standard_library_and_itself(path: Path) -> None:
    allowed = set(sys.stdlib_module_names) | {"__future__"}
    outside = set()
    for root in _imported_roots(path):
        if root not in allowed:
            outside.add(root)
    # bot.shared.* may import its siblings, nothing else of bot.
    text = path.read_text(encoding="utf-8")
    assert outside <= {"bot"}, sorted(outside)
    for line in text.splitlines():
        if line.startswith(("from bot", "import bot")):
            assert line.startswith(("from bot.shared", "import bot.shared")), line
