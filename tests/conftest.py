"""Shared helpers for the test suite: the project's YAML files and generated NIRs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from ruamel.yaml import YAML

from bot.agents import passwords
from bot.settings import get_settings
from tests.support.db import db_url, engine, postgres_url  # noqa: F401 - fixtures for every test module

ROOT = Path(__file__).resolve().parent.parent


# The slowest tests, first (measured with --durations; each spawns Rasa or rewrites and
# re-checks a copy of the training data). On pytest-xdist's workers a long test collected
# last runs alone at the end while the other worker idles: first, it overlaps the rest.
# A prefix of a node id; the order among them is the order here, the longest first.
SLOWEST_FIRST = (
    "tests/workbench/test_writers.py::test_the_written_question_trains",
    "tests/workbench/test_writers.py",
    "tests/web/test_atelier.py",
    "tests/workbench/test_decisions.py",
    "tests/workbench/test_training_data.py",
    "tests/web/test_push_workers.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the tests of ``SLOWEST_FIRST`` before the others (a stable sort: modules stay whole)."""

    def rank(item: pytest.Item) -> int:
        return next(
            (i for i, prefix in enumerate(SLOWEST_FIRST) if item.nodeid.startswith(prefix)),
            len(SLOWEST_FIRST),
        )

    items.sort(key=rank)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Services read their settings once per process; each test is a new "process"."""
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


# Argon2 at its lowest cost (1 pass over 8 KiB, one lane) instead of production's (RFC
# 9106's low-memory profile: 3 passes over 64 MiB, 4 lanes, about half a second a hash
# on a busy 2-core machine). Verification reads the cost from the hash, so it is cheap too.
CHEAP_ARGON2 = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(autouse=True)
def cheap_argon2(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every ``PasswordHasher()`` made in a test hashes cheaply, unless the test is marked
    ``production_argon2`` (tests/agents/test_argon2_cost.py checks production's parameters).

    The tests check who may log in, not how long Argon2 takes; processes the tests start
    (``python -m bot.web``) keep production's cost.
    """
    if request.node.get_closest_marker("production_argon2") is None:
        assert PasswordHasher.__init__.__code__.co_varnames[1:4] == tuple(CHEAP_ARGON2)
        defaults = PasswordHasher.__init__.__defaults__ or ()
        monkeypatch.setattr(PasswordHasher.__init__, "__defaults__", (*CHEAP_ARGON2.values(), *defaults[3:]))
    # The agents' hasher and decoy hash are made once per process: made again at this cost.
    passwords.hasher.cache_clear()
    passwords._decoy_hash.cache_clear()
    yield


def load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


def load_domain(directory: Path = ROOT / "domain") -> dict[str, Any]:
    """The domain as Rasa sees it: every file under ``domain/`` merged into one.

    Sections that are mappings (slots, forms, responses) are joined, lists
    (intents, entities, actions) concatenated; a name defined twice is an error
    here, as it would be a silent override in Rasa.
    """
    merged: dict[str, Any] = {}
    for path in sorted(directory.rglob("*.yml")):
        for key, value in (load_yaml(path) or {}).items():
            if key == "version":
                continue
            if isinstance(value, dict):
                section = merged.setdefault(key, {})
                twice = sorted(set(section) & set(value))
                assert not twice, f"{path.relative_to(ROOT)}: {key} {twice} déjà définis ailleurs"
                section.update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
            else:
                merged[key] = value
    return merged


def training_files(kind: str) -> list[Path]:
    """``data/rules/*.yml`` or ``data/stories/*.yml`` (``kind`` is "rules" or "stories")."""
    return sorted((ROOT / "data" / kind).rglob("*.yml"))


@pytest.fixture(scope="session")
def domain() -> dict[str, Any]:
    return load_domain()


@pytest.fixture(scope="session")
def nlu_examples() -> dict[str, list[str]]:
    """Training examples by intent, entity annotations stripped."""
    return examples_by_intent(sorted((ROOT / "data" / "nlu").glob("*.yml")))


@pytest.fixture(scope="session")
def holdout_examples() -> dict[str, list[str]]:
    return examples_by_intent(sorted((ROOT / "tests" / "holdout").glob("*.yml")))


def examples_by_intent(paths: list[Path]) -> dict[str, list[str]]:
    import re

    annotation = re.compile(r"\[([^\]]+)\]\([^)]+\)")
    found: dict[str, list[str]] = {}
    for path in paths:
        for block in load_yaml(path).get("nlu", []):
            if "intent" not in block:
                continue
            lines = [line[2:].strip() for line in block["examples"].splitlines() if line.startswith("- ")]
            found.setdefault(block["intent"], []).extend(annotation.sub(r"\1", x) for x in lines)
    return found
