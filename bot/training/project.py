"""The project's training files as the lint reads them: every item with its file and line.

Loaded with ruamel.yaml's round-trip loader, which keeps the line of each key, so a
message can say « data/nlu/connexion.yml, ligne 38 ». Paths are relative to the
project root, which is a parameter: the tests build small projects in a temporary
directory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.dialogue.intents import IntentRegistry, RegistryError, load_registry

ROOT = Path(__file__).resolve().parents[2]
# Example files written by a program, not by trainers (their first line says so).
GENERATED_MARK = "# Généré par"
_ANNOTATION = re.compile(r"\[([^\]]+)\]\([^)]+\)")


class ProjectError(ValueError):
    """A file cannot be read at all; the message, in French, names it."""


@dataclass(frozen=True)
class Where:
    """A place in the project, for messages: ``data/nlu/x.yml, ligne 12``."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}, ligne {self.line}" if self.line else self.path


@dataclass(frozen=True)
class Example:
    """One example phrase (entity annotations stripped) under its intent."""

    text: str
    intent: str
    where: Where
    # The script that wrote the file (« # Généré par bot/training/variants.py »), None for a trainer's file.
    generator: str | None = None


@dataclass(frozen=True)
class Step:
    """An ``intent:`` or ``action:`` step of a rule or a story."""

    kind: str
    name: str
    where: Where


@dataclass
class Project:
    """What the lint needs from one project directory."""

    root: Path
    registry: IntentRegistry
    examples: list[Example] = field(default_factory=list)
    holdout: list[Example] = field(default_factory=list)
    # Response name → where it is defined.
    responses: dict[str, Where] = field(default_factory=dict)
    # Form name → its required slots.
    forms: dict[str, list[str]] = field(default_factory=dict)
    # Steps of data/rules and data/stories (training) and of tests/stories (tests).
    training_steps: list[Step] = field(default_factory=list)
    test_steps: list[Step] = field(default_factory=list)
    # The console's own words (domain/responses/console_conseillers.yml), loaded as is.
    console: dict[str, Any] = field(default_factory=dict)

    def relative(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return path.as_posix()


def _load(path: Path, root: Path) -> Any:
    try:
        return YAML().load(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        raise ProjectError(
            f"{path.relative_to(root).as_posix()} n'est pas lisible (alignement, guillemets, "
            f"tabulation ?) : {error}"
        ) from error


def _line_of_key(node: Any, key: Any) -> int:
    """1-based line of ``key`` in a round-trip mapping (0 when unknown)."""
    try:
        return int(node.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return 0


def read_examples(path: Path, root: Path) -> list[Example]:
    """The ``- intent:`` blocks of one NLU file, one ``Example`` per ``- phrase`` line."""
    data = _load(path, root) or {}
    rel = path.relative_to(root).as_posix()
    header = path.read_text(encoding="utf-8").split("\n", 1)[0]
    generator = header[len(GENERATED_MARK) :].split()[0] if header.startswith(GENERATED_MARK) else None
    found: list[Example] = []
    for block in data.get("nlu", []) or []:
        if not isinstance(block, dict) or "intent" not in block:
            continue
        text = block.get("examples") or ""
        try:
            # The value's line is the « examples: | » line; the phrases start on the next.
            first = int(block.lc.value("examples")[0]) + 2  # type: ignore[attr-defined]
        except (AttributeError, KeyError, TypeError):
            first = 0
        for offset, line in enumerate(str(text).splitlines()):
            stripped = line.strip()
            if not stripped.startswith("- "):
                continue
            phrase = _ANNOTATION.sub(r"\1", stripped[2:].strip())
            found.append(
                Example(phrase, str(block["intent"]), Where(rel, first + offset if first else 0), generator)
            )
    return found


def _steps(node: Any, rel: str) -> Iterator[Step]:
    """Every ``intent:`` and ``action:`` step, however deep (``or:`` blocks, checkpoints)."""
    if isinstance(node, dict):
        for kind in ("intent", "action"):
            value = node.get(kind)
            if isinstance(value, str):
                yield Step(kind, value, Where(rel, _line_of_key(node, kind)))
        for value in node.values():
            if isinstance(value, (dict, list)):
                yield from _steps(value, rel)
    elif isinstance(node, list):
        for item in node:
            yield from _steps(item, rel)


def read_steps(paths: list[Path], root: Path) -> list[Step]:
    steps: list[Step] = []
    for path in paths:
        data = _load(path, root) or {}
        rel = path.relative_to(root).as_posix()
        for key in ("rules", "stories"):
            steps.extend(_steps(data.get(key) or [], rel))
    return steps


def _yml(directory: Path) -> list[Path]:
    return sorted(directory.rglob("*.yml")) if directory.is_dir() else []


def load_project(root: Path = ROOT) -> Project:
    """Read intents.yml, data/, domain/ and tests/ of the project at ``root``."""
    try:
        registry = load_registry(root / "intents.yml")
    except (RegistryError, OSError) as error:
        raise ProjectError(str(error)) from error
    project = Project(root=root, registry=registry)
    for path in sorted((root / "data" / "nlu").glob("*.yml")):
        project.examples.extend(read_examples(path, root))
    for path in sorted((root / "tests" / "holdout").glob("*.yml")):
        project.holdout.extend(read_examples(path, root))
    for path in _yml(root / "domain"):
        data = _load(path, root) or {}
        rel = path.relative_to(root).as_posix()
        responses = data.get("responses") or {}
        for name in responses:
            project.responses[str(name)] = Where(rel, _line_of_key(responses, name))
        for name, form in (data.get("forms") or {}).items():
            slots = (form or {}).get("required_slots") or []
            project.forms[str(name)] = [str(s) for s in slots]
        if "console" in data:
            project.console = data["console"] or {}
    project.training_steps = read_steps(_yml(root / "data" / "rules") + _yml(root / "data" / "stories"), root)
    project.test_steps = read_steps(_yml(root / "tests" / "stories"), root)
    return project
