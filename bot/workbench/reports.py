"""The headline of the latest quality report (``make report``), as the workbench shows it.

``python -m bot.training.report`` writes ``reports/index.html`` (the page) and
``reports/report-latest.json`` (its figures); the workbench says when it was made,
in French, and its headline figures, next to a link to the page.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from bot.rules import french_time


def report_time(created: Any) -> str | None:
    """« le 1er décembre à 10 h 00 » (Paris time) for the report's ISO time; None if unreadable."""
    try:
        moment = dt.datetime.fromisoformat(str(created))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return french_time.moment(moment, dt.datetime.now(dt.timezone.utc))


def latest_report(root: Path, page: str) -> dict[str, Any] | None:
    """The headline figures of ``reports/report-latest.json``, when the report's page exists.

    ``page`` is where the web tier serves that page (the figures link to it).
    """
    html = root / "reports" / "index.html"
    summary = root / "reports" / "report-latest.json"
    if not html.is_file():
        return None
    found: dict[str, Any] = {"page": page, "cree": None, "chiffres": {}}
    try:
        data = json.loads(summary.read_text(encoding="utf-8")) if summary.is_file() else {}
    except ValueError:
        data = {}
    found["cree"] = report_time(data.get("created"))
    found["chiffres"] = {k: v for k, v in (data.get("headline") or {}).items() if v is not None}
    return found
