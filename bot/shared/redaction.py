"""Strip secrets from conversation events before they are stored.

Rasa keeps every user message in its tracker store. Members type their NIR and,
against all advice, their access code; neither may be stored in clear. This module
works on the plain-dict form of events (``Event.as_dict()``) so that it has no
dependency on Rasa and can be tested alone.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from bot.shared.patterns import NIR_MASK, redact

# Entities and slots whose value is a secret as a whole.
SECRET_NAMES = frozenset({"nir", "access_code"})


def _redact_parse_data(parse_data: dict[str, Any]) -> None:
    if isinstance(parse_data.get("text"), str):
        parse_data["text"] = redact(parse_data["text"])
    for entity in parse_data.get("entities") or []:
        if entity.get("entity") in SECRET_NAMES:
            entity["value"] = NIR_MASK
        elif isinstance(entity.get("value"), str):
            entity["value"] = redact(entity["value"])


def redact_event(event: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``event`` with NIRs and access codes masked; other fields kept."""
    data: dict[str, Any] = copy.deepcopy(dict(event))
    kind = data.get("event")
    if kind in ("user", "bot") and isinstance(data.get("text"), str):
        data["text"] = redact(data["text"])
    if kind == "user" and isinstance(data.get("parse_data"), dict):
        _redact_parse_data(data["parse_data"])
    if kind == "slot" and data.get("name") in SECRET_NAMES and data.get("value"):
        data["value"] = NIR_MASK
    return data
