"""What the one-process evaluation notes beside Rasa's files: the intent each member would have got."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace
from typing import Any

from rasa_addons.evaluation import member_view, recording


def test_the_intent_after_the_fallback_is_noted_per_phrase() -> None:
    async def parse(message: Any, **_: Any) -> dict[str, Any]:
        # Rasa's parse with the FallbackClassifier: a low confidence comes back as nlu_fallback.
        if message.text == "zorglub":
            return {"intent": {"name": "nlu_fallback", "confidence": 0.45}}
        return {"intent": {"name": "how_to_login", "confidence": 0.93}}

    seen: dict[str, tuple[str | None, float | None]] = {}
    noted = recording(parse, seen)
    for text in ("comment me connecter", "zorglub"):
        asyncio.run(noted(SimpleNamespace(text=text), only_output_properties=False))
    view = member_view(
        [("comment me connecter ", "how_to_login"), ("zorglub", "out_of_scope"), ("x", "greet")], seen
    )
    assert view == [
        {
            "text": "comment me connecter ",
            "expected": "how_to_login",
            "intent": "how_to_login",
            "confidence": 0.93,
        },
        {"text": "zorglub", "expected": "out_of_scope", "intent": "nlu_fallback", "confidence": 0.45},
        {"text": "x", "expected": "greet", "intent": None, "confidence": None},
    ]
