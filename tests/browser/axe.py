"""Audit a page with axe-core (npm, locked in package-lock.json), injected by Playwright.

axe-core is evaluated through the DevTools protocol, not added as a ``<script>``:
our pages forbid inline scripts (Content-Security-Policy), and the audit must see
them exactly as members do. Only WCAG 2.0/2.1/2.2 level A and AA rules run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import Page

AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def axe_violations(page: Page, context: str | None = None) -> list[dict[str, Any]]:
    """The WCAG A/AA violations axe finds on ``page`` (or inside the ``context`` selector)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SCRIPT.read_text(encoding="utf-8"))
    result: dict[str, Any] = page.evaluate(
        """async ([context, tags]) => await window.axe.run(context || document, {
            runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]
        })""",
        [context, WCAG_TAGS],
    )
    violations: list[dict[str, Any]] = result["violations"]
    return violations


def describe(violations: list[dict[str, Any]]) -> str:
    """One line per violation and node, readable in a failed assertion."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            lines.append(f"{violation['id']} ({violation['impact']}): {node['target']} — {violation['help']}")
    return "\n".join(lines)
