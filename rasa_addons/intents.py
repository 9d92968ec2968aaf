"""The intents a button may send, read from the registry (``intents.yml``) by the Rasa server.

The action server reads the whole registry through ``bot.dialogue.intents``; the Rasa
server may import only ``bot.shared`` (standard library, no YAML parser), so it reads
the one setting it needs itself, with the ruamel.yaml that Rasa already depends on.
``tests/dialogue/test_registry.py`` checks that both readings agree.
"""

from __future__ import annotations

from pathlib import Path

from ruamel.yaml import YAML

REGISTRY_PATH = Path(__file__).resolve().parent.parent / "intents.yml"


def button_intents(path: Path = REGISTRY_PATH) -> frozenset[str]:
    """Names of the intents marked ``button: true``: the only "/intent" texts kept as such."""
    data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    return frozenset(
        name
        for name, settings in (data or {}).get("intents", {}).items()
        if isinstance(settings, dict) and settings.get("button") is True
    )
