"""The console's assistant: the member bot's own answers, laid out for an agent on the phone.

One source of truth: the text "À dire à l'adhérent" is the member response the bot
gives for that intent (``domain/responses/``), the steps are its long version
(``…_detail``), and the only words of the agent's own (what to do in the console)
sit beside them in ``domain/responses/console_conseillers.yml``, which Rasa does not
read. Which intent a question is comes from the same NLU model (the Rasa server's
agent channel, ``rasa_addons.agent_channel``).

The agent is the « conseiller ACS » the member's answers point to: where a member's
answer speaks in Sésame's voice or sends the member to a conseiller, the console file
gives the agent's own wording (``a_dire``; empty: nothing to read out). Every intent
is named in French (``REGISTRY.staff_labels``), never by its English name. When the
two likeliest intents are close (``ASSISTANT_CLOSE_CALL_POINTS``), both answers are
given (``close_call``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.dialogue.intents import REGISTRY
from bot.settings import PROJECT_ROOT, Settings

RESPONSES_DIR = PROJECT_ROOT / "domain" / "responses"
CONSOLE_FILE = RESPONSES_DIR / "console_conseillers.yml"
DETAIL_PREFIX = re.compile(r"^Plus en détail\s*:\s*", re.IGNORECASE)
MARKDOWN_LINK = re.compile(r"\[([^\]]+)\]\((https?://[^)\s]+)\)")
PLACEHOLDER = re.compile(r"{([a-z_]+)}")
# Intents that are not questions: nothing to read out, the agent picks another.
# "Je veux parler à un conseiller": the member already is talking to one.
NOT_QUESTIONS = frozenset(
    {"greet", "goodbye", "thank", "affirm", "deny", "ask_more", "nlu_fallback", "request_human"}
)


@dataclass(frozen=True)
class AgentAnswer:
    """What the console shows for one intent."""

    intent: str
    label: str
    say: str | None  # to read out to the member, as the bot would say it
    steps: tuple[str, ...]  # the long version, one line per step
    to_do: str | None  # what the agent can do in the console
    in_help_document: bool


@dataclass(frozen=True)
class ConsoleWording:
    outside_help_document: str
    not_a_question: str
    by_intent: Mapping[str, Mapping[str, str]]


def _load_yaml(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def member_responses() -> Mapping[str, str]:
    """Every response of the domain by name: its first variant's text."""
    found: dict[str, str] = {}
    for path in sorted(RESPONSES_DIR.glob("*.yml")):
        data = _load_yaml(path) or {}
        for name, variants in (data.get("responses") or {}).items():
            if variants and isinstance(variants[0], dict) and isinstance(variants[0].get("text"), str):
                found[name] = variants[0]["text"]
    return found


@lru_cache(maxsize=1)
def console_wording() -> ConsoleWording:
    data = (_load_yaml(CONSOLE_FILE) or {})["console"]
    return ConsoleWording(data["hors_document"], data["pas_une_question"], data.get("intentions") or {})


def plain(text: str) -> str:
    """Response text as the agent reads it: links as "label (address)"."""
    return MARKDOWN_LINK.sub(r"\1 (\2)", text).strip()


def fill(text: str, values: Mapping[str, str]) -> str | None:
    """``{placeholders}`` filled from ``values``; None if one is left (a conversation-only value)."""
    filled = PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), text)
    return None if PLACEHOLDER.search(filled) else filled


def _steps(detail: str | None) -> tuple[str, ...]:
    if not detail:
        return ()
    lines = [line.strip().lstrip("•").strip() for line in DETAIL_PREFIX.sub("", detail).split("\n")]
    kept = [line for line in lines if line]
    if kept:  # "Plus en détail : sans adresse…" loses its lead-in: the first step starts a sentence
        kept[0] = kept[0][:1].upper() + kept[0][1:]
    return tuple(plain(line) for line in kept)


def answer_for(intent: str, settings: Settings) -> AgentAnswer:
    """The console's answer for ``intent`` (any name: an unknown one gets the generic text)."""
    responses = member_responses()
    wording = console_wording()
    extra = wording.by_intent.get(intent, {})
    registered = {i.name: i for i in REGISTRY.intents}
    known = registered.get(intent)
    label = REGISTRY.staff_labels.get(intent) or intent.replace("_", " ")
    values = {"ttl_minutes": str(settings.reset_token_ttl_minutes)}
    text: str | None
    if "a_dire" in extra:  # the agent's own wording (empty: nothing to read out)
        text = extra["a_dire"] or None
    elif intent in NOT_QUESTIONS:
        text = None
    else:
        text = responses.get(extra.get("reponse") or f"utter_{intent}")
    say = fill(plain(text), values) if text else None
    steps = _steps(responses.get(f"utter_{intent}_detail"))
    in_document = bool(known and known.help_document)
    to_do = extra.get("a_faire")
    if say is None and not steps and not to_do:
        to_do = wording.not_a_question if intent in NOT_QUESTIONS else wording.outside_help_document
    return AgentAnswer(intent, label, say, steps, to_do, in_document)


def close_call(ranked: Sequence[Mapping[str, Any]], settings: Settings) -> str | None:
    """The second likeliest intent when it is within ``ASSISTANT_CLOSE_CALL_POINTS`` of the first.

    54 % against 45 %: the model hesitates, so the agent sees both answers and picks
    the one that fits what the member said, instead of reading out the first one.
    """
    if len(ranked) < 2 or settings.assistant_close_call_points <= 0:
        return None
    first, second = ranked[0], ranked[1]
    gap = round((float(first["confidence"]) - float(second["confidence"])) * 100, 6)
    return str(second["name"]) if gap <= settings.assistant_close_call_points else None
