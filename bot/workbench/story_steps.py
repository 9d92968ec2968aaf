"""A test story's steps as data, cut into turns, and written back in Rasa's end-to-end format.

A step is what Rasa's YAML reader gives for one item of ``steps:`` (``{"user": …,
"intent": …}``, ``{"action": …}``, ``{"slot_was_set": [...]}``, ``{"active_loop": …}``,
``{"bot": …}``). A *turn* is one member message and everything the bot did until the
next one: what a trainer removes, or gives another intent, in the workbench. The
stories made from conversations (``bot.workbench.stories``) and the saved stories
edited later (``bot.workbench.saved_stories``) are written by the same function, so an
edit never changes the layout of what it did not touch.

Why the answer is re-derived when a turn's intent changes: a story records what the bot
did at the time, including its mistakes; once a trainer says a message meant another
intent, the honest test is the answer Sésame gives to that intent today (its rule,
``answers_of``), not the wrong one it gave then.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.shared.patterns import redact
from bot.workbench import consistency

Step = dict[str, Any]

HEADER = (
    "# Sésame — une vraie conversation, enregistrée comme histoire de test depuis l'atelier\n"
    "# (bot/workbench/stories.py). Les numéros sont masqués : pour rejouer un numéro,\n"
    "# remplacez le masque par un numéro FICTIF (tests/support/nirs.py).\n"
)


@dataclass
class Turn:
    """One member message (``user``) and the bot's steps after it (``after``)."""

    user: Step
    after: list[Step] = field(default_factory=list)
    in_form: bool = False  # a form was active when the member wrote this message

    @property
    def text(self) -> str:
        return " ".join(str(self.user.get("user") or "").split())

    @property
    def intent(self) -> str | None:
        value = self.user.get("intent")
        return str(value) if value else None

    @property
    def actions(self) -> list[str]:
        return [str(s["action"]) for s in self.after if s.get("action")]


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return _quoted(redact(str(value)))


def render_steps(steps: Sequence[Step]) -> list[str]:
    """The YAML lines of ``steps`` (under a story's ``steps:``), member texts masked again."""
    lines: list[str] = []
    for step in steps:
        if "user" in step:
            text = " ".join(redact(str(step.get("user") or "")).split()) or "(message vide)"
            lines += ["  - user: |", f"      {text}"]
            if step.get("intent"):
                lines.append(f"    intent: {step['intent']}")
            entities = [e for e in step.get("entities") or [] if isinstance(e, dict)]
            if entities:
                lines.append("    entities:")
                lines += [f"    - {name}: {_scalar(value)}" for e in entities for name, value in e.items()]
        elif "action" in step:
            lines.append(f"  - action: {step['action']}")
        elif "slot_was_set" in step:
            for slot in step["slot_was_set"] or []:
                for name, value in slot.items() if isinstance(slot, dict) else ():
                    lines += ["  - slot_was_set:", f"    - {name}: {_scalar(value)}"]
        elif "active_loop" in step:
            lines.append(f"  - active_loop: {step['active_loop'] or 'null'}")
        elif "bot" in step:
            lines.append(f"  - bot: {_quoted(redact(str(step['bot'])))}")
    return lines


def story_yaml(title: str, steps: Sequence[Step]) -> str:
    """A whole test-story file of one story."""
    body = "\n".join([f"- story: {_quoted(title)}", "  steps:", *render_steps(steps)]) + "\n"
    return f'{HEADER}version: "3.1"\n\nstories:\n{body}'


def split_turns(steps: Sequence[Step]) -> tuple[list[Step], list[Turn]]:
    """The steps before the first member message (rare), and the turns."""
    head: list[Step] = []
    turns: list[Turn] = []
    loop: str | None = None
    for step in steps:
        if "user" in step:
            turns.append(Turn(dict(step), [], in_form=loop is not None))
        elif turns:
            turns[-1].after.append(dict(step))
        else:
            head.append(dict(step))
        if "active_loop" in step:
            loop = step["active_loop"] or None
    return head, turns


def join_turns(head: Sequence[Step], turns: Sequence[Turn]) -> list[Step]:
    steps = list(head)
    for turn in turns:
        steps += [turn.user, *turn.after]
    return steps


def answers_of(root: Path) -> dict[str, str]:
    """intent → what Sésame does first when it is asked outside a form (its rule), as today's data say."""
    found: dict[str, str] = {}
    for rule in consistency.rules(root):
        steps = rule.get("steps") or []
        if "condition" in rule or len(steps) < 2 or not steps[0].get("intent"):
            continue
        if steps[1].get("action"):
            found.setdefault(str(steps[0]["intent"]), str(steps[1]["action"]))
    return found


def retarget(turn: Turn, intent: str, answers: Mapping[str, str]) -> bool:
    """Give the turn ``intent``, and today's answer to it when that is a plain one (True), else keep
    the bot's recorded steps (False: the trainer should check what follows).
    """
    turn.user["intent"] = intent
    answer = answers.get(intent)
    if turn.in_form or answer is None:
        return False
    turn.after = [{"action": answer}]
    return True


def response_texts(root: Path) -> dict[str, str]:
    """``utter_…`` → the text of its first variant (to show a bot step in French)."""
    responses = consistency.load_domain(root).get("responses") or {}
    found: dict[str, str] = {}
    for name, variants in responses.items():
        first = variants[0] if isinstance(variants, list) and variants else None
        if isinstance(first, dict) and isinstance(first.get("text"), str):
            found[str(name)] = first["text"]
    return found
