"""Evaluate one model in one process: phrase sets (``rasa test nlu``), test stories (``rasa test core``).

``make nlu-eval``, ``make nlu-robust`` and ``make story-test`` used to start Rasa three
times, each loading the same model; the workbench's promotion gate needs the same
measures for a candidate and for the model in service. Here the model is loaded once
and Rasa's own evaluation functions (the ones behind ``rasa test``) write the same
files as the command line, one folder per set::

    python -m rasa_addons.evaluation --model M --domain domain --out DIR \\
        --nlu controle=tests/holdout --nlu robustesse=robust.yml --stories tests/stories

Beside Rasa's files, each phrase set gets ``member_view.json``: for every phrase, the
intent the member's message really gets, after the FallbackClassifier (``rasa test
nlu`` undoes the fallback to report the classifier's own guess). The recording wraps
the processor's ``parse_message`` while Rasa evaluates, so each phrase is parsed once.
The scores are read in env B (``bot.training.evaluation``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import Any

MEMBER_VIEW = "member_view.json"


def recording(
    parse: Callable[..., Awaitable[dict[str, Any]]], seen: dict[str, tuple[str | None, float | None]]
) -> Callable[..., Coroutine[Any, Any, dict[str, Any]]]:
    """``parse`` that also notes, per text, the intent and confidence it returned (fallback included)."""

    async def parse_and_note(message: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        result = await parse(message, *args, **kwargs)
        intent = result.get("intent") or {}
        confidence = intent.get("confidence")
        seen[str(message.text or "")] = (
            intent.get("name"),
            float(confidence) if confidence is not None else None,
        )
        return result

    return parse_and_note


def member_view(
    examples: list[tuple[str, str]], seen: dict[str, tuple[str | None, float | None]]
) -> list[dict[str, Any]]:
    """Each (text, expected intent) with what the member got: ``intent`` after the fallback."""
    view = []
    for text, expected in examples:
        intent, confidence = seen.get(text.strip(), (None, None))
        view.append({"text": text, "expected": expected, "intent": intent, "confidence": confidence})
    return view


def _examples(path: str, domain: str) -> list[tuple[str, str]]:
    from rasa.shared.importers.importer import TrainingDataImporter

    data = TrainingDataImporter.load_from_dict(training_data_paths=[path], domain_path=domain).get_nlu_data()
    return [
        (str(e.get("text") or ""), str(e.get("intent") or "")) for e in data.nlu_examples if e.get("intent")
    ]


async def evaluate(
    model: str, domain: str, out: Path, phrase_sets: list[tuple[str, str]], stories: str | None
) -> None:
    from rasa.core.agent import Agent
    from rasa.core.test import test as test_stories
    from rasa.nlu.test import run_evaluation

    agent = Agent.load(model_path=model)
    processor = agent.processor
    original = processor.parse_message
    for name, path in phrase_sets:
        folder = out / name
        folder.mkdir(parents=True, exist_ok=True)
        seen: dict[str, tuple[str | None, float | None]] = {}
        processor.parse_message = recording(original, seen)
        try:
            # As `rasa test nlu --model M --domain D --nlu P --out O` (errors written),
            # plus the successes: with the errors, every phrase's own guess.
            await run_evaluation(
                path, processor, output_directory=str(folder), successes=True, errors=True, domain_path=domain
            )
        finally:
            processor.parse_message = original
        view = member_view(_examples(path, domain), seen)
        (folder / MEMBER_VIEW).write_text(
            json.dumps(view, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
        )
    if stories:
        folder = out / "histoires"
        folder.mkdir(parents=True, exist_ok=True)
        # As `rasa test core --e2e --model M --stories S --out O`; every prediction error
        # marks its story failed in story_report.json (bot.training.story_scores fails on any).
        await test_stories(stories, agent, e2e=True, out_directory=str(folder), errors=True, warnings=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m rasa_addons.evaluation", description=__doc__)
    parser.add_argument("--model", required=True)
    parser.add_argument("--domain", default="domain")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--nlu", action="append", default=[], help="name=path, once per phrase set")
    parser.add_argument("--stories", default=None)
    args = parser.parse_args(argv)
    phrase_sets = []
    for item in args.nlu:
        name, _, path = item.partition("=")
        if not name or not path:
            parser.error(f"--nlu attend nom=chemin (lu : {item!r})")
        phrase_sets.append((name, path))
    import rasa.utils.common

    rasa.utils.common.configure_logging_and_warnings(logging.WARNING)
    asyncio.run(evaluate(args.model, args.domain, args.out, phrase_sets, args.stories))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
