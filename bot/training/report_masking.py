"""Mask NIRs and access codes in what ``rasa test`` writes under reports/.

The test stories and held-out phrases hold generated numbers (valid by their key,
nobody's), and Rasa copies the member's texts into its result files
(``*_errors.json``, failed stories, logs). Reports are read by people and kept, so
they follow the same rule as every stored text: no number that is, or looks like, a
NIR or an access code. The masking is ``bot.shared.patterns.redact``, the one
the conversation store uses; JSON files stay valid JSON (strings are masked, keys
included, numbers untouched), other text files are masked line by line.

Why line by line: the gate joins digits across any run of spaces and punctuation,
line breaks included, so a YAML list of examples ("    - 482913\n    - 739204") would
be one number and the whole block one mask, the file no longer YAML. In these files
each message Rasa copies is on its own line (one example, one log record).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.shared.patterns import redact

TEXT_SUFFIXES = frozenset({".json", ".yml", ".yaml", ".log", ".txt", ".md", ".html"})


def _masked(value: Any) -> Any:
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {redact(key) if isinstance(key, str) else key: _masked(item) for key, item in value.items()}
    return value


def _masked_json(text: str) -> str | None:
    """The JSON document with its strings masked, as it was if none held a secret; None if not JSON."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    masked = _masked(data)
    return text if masked == data else json.dumps(masked, ensure_ascii=False, indent=2) + "\n"


def mask_secrets(directory: Path) -> list[Path]:
    """Rewrite every text file under ``directory`` that held a secret; the files rewritten."""
    rewritten = []
    for path in sorted(directory.rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        masked = _masked_json(text) if path.suffix == ".json" else None
        if masked is None:
            masked = "".join(redact(line) for line in text.splitlines(keepends=True))
        if masked != text:
            path.write_text(masked, encoding="utf-8")
            rewritten.append(path)
    return rewritten
