"""Teach Sésame a new question without YAML, or change an existing one.

``add_intent`` writes, for a new intent (a question and its answer), everything the
repository checks (``bot.workbench.consistency``, the same rules as ``make test``):

- ``intents.yml``: the entry (label, ``button: true``; ``digression: true`` if asked);
- ``domain/intents.yml``: the name; ``domain/slots.yml``: the name in the ``not_intent``
  list of the ``nir`` slot (a new question is never read as a NIR);
- ``domain/responses/<topic>.yml``: the answer ``utter_<name>`` and its buttons;
- ``data/rules/<topic>.yml`` (``questions.yml`` for the help topics): the rule
  « intent → answer », and the digression rules of the three forms if asked;
- ``data/nlu/<topic>.yml``: the examples (at least 10), then ``variantes.yml`` again;
- ``tests/holdout/nlu_holdout.yml``: the held-out phrases (at least 15: every
  trained intent is measured on them, ``tests/test_nlu_holdout.py``);
- ``tests/stories/test_<topic>.yml``: a test story, the first example then the answer;
- ``couverture.yml``: the intent under the help document's section it answers, if given.

Why the story's phrase is an example and not a held-out phrase (issue #22, « the story
written for the new question failed in the first report »): a story tests the dialogue
(this question gets this answer); a held-out phrase is by design one the model never saw,
and a new question's often lands on a neighbour (3.3 « me reconnecter » on first_login),
so the story failed for a reason the held-out figures already measure.

A new question is not a ``help_document`` one: those need 25 examples, a detailed
answer and their own checks; a developer promotes it. Every line written carries
a comment with the date and the reviewer. Inputs are checked first (French errors,
``WriterError.problems``); after writing, the repository's checks run on the result,
and every file is put back as it was if one fails.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session

from bot.agents.audit import record
from bot.db.enums import AgentAction
from bot.dialogue.intents import load_registry
from bot.settings import PROJECT_ROOT
from bot.training.similarity import (
    copy_key,
)
from bot.workbench import consistency
from bot.workbench.intent_checks import (
    MIN_EXAMPLES,
    WriterError,
    answer_problems,
    button_problems,
    name_from_label,
    validate_new_intent,
)
from bot.workbench.training_data import (
    HOLDOUT_DIR,
    NLU_DIR,
    TrainingDataError,
    add_examples,
    added_comment,
    check_new_examples,
    clean_example,
    refresh_variants,
    remove_examples,
    training_examples,
)

HOLDOUT_FILE = HOLDOUT_DIR / "nlu_holdout.yml"
COVERAGE_FILE = Path("couverture.yml")
SECTION_NUMBER = re.compile(r"^\d{1,2}(?:\.\d{1,2}){0,3}$")
HELP_RULES = Path("data") / "rules" / "questions.yml"
FORM_RULES = {
    "login_problem_form": (Path("data") / "rules" / "diagnostic.yml", "Diagnostic", None),
    "reset_form": (Path("data") / "rules" / "nouveau_code.yml", "Nouveau code", True),
    "callback_form": (Path("data") / "rules" / "conseiller.yml", "Rappel", None),
}


@dataclass(frozen=True)
class WrittenIntent:
    name: str
    files: tuple[Path, ...]  # relative to the root, in the order written
    examples: tuple[str, ...] = field(default=())


def topic_files(topic: str) -> dict[str, Path]:
    """Where each part of a question of ``topic`` goes, relative to the root."""
    rules = Path("data") / "rules" / f"{topic}.yml"
    return {
        "nlu": NLU_DIR / f"{topic}.yml",
        "responses": Path("domain") / "responses" / f"{topic}.yml",
        "rules": rules,
        "story": Path("tests") / "stories" / f"test_{topic}.yml",
    }


def _rules_file(root: Path, topic: str) -> Path:
    own = topic_files(topic)["rules"]
    return own if (root / own).exists() else HELP_RULES


# --- the files ---------------------------------------------------------------------


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is YAML's)."""
    return json.dumps(text.strip(), ensure_ascii=False)


def _append(path: Path, text: str) -> None:
    content = path.read_text(encoding="utf-8")
    if content and not content.endswith("\n"):
        content += "\n"
    path.write_text(content + text, encoding="utf-8")


def _insert_before(path: Path, marker: str, line: str) -> None:
    content = path.read_text(encoding="utf-8")
    if marker in content:
        content = content.replace(marker, line + marker, 1)
    else:
        content = content.rstrip("\n") + "\n" + line
    path.write_text(content, encoding="utf-8")


def response_block(name: str, answer: str, buttons: Sequence[tuple[str, str]], comment: str) -> str:
    lines = [f"  {comment}", f"  utter_{name}:", f"    - text: {_quoted(answer)}"]
    if buttons:
        lines.append("      buttons:")
        for title, payload in buttons:
            lines += [f"        - title: {_quoted(title)}", f"          payload: {_quoted(payload)}"]
    return "\n".join(lines) + "\n"


def _rule(title: str, steps: list[str], condition: list[str] | None = None) -> str:
    lines = [f"- rule: {_quoted(title)}"]
    if condition:
        lines += ["  condition:", *condition]
    lines += ["  steps:", *steps]
    return "\n".join(lines) + "\n"


def digression_rules(name: str) -> dict[Path, str]:
    """The rules « answer during the form, then resume » of the three forms, by file."""
    answer = f"  - action: utter_{name}"
    found: dict[Path, str] = {}
    for form, (path, prefix, wanted) in FORM_RULES.items():
        condition = [f"  - active_loop: {form}"]
        if wanted:
            condition += ["  - slot_was_set:", "    - reset_wanted: true"]
        text = _rule(
            f"{prefix} : digression ({name}) puis reprise",
            [f"  - intent: {name}", answer, f"  - action: {form}", f"  - active_loop: {form}"],
            condition,
        )
        if wanted:
            text += "\n" + _rule(
                f"{prefix} : la proposition s'arrête ({name})",
                [
                    f"  - intent: {name}",
                    "  - action: action_stop_reset",
                    "  - active_loop: null",
                    "  - slot_was_set:",
                    "    - requested_slot: null",
                    answer,
                ],
                [f"  - active_loop: {form}", "  - slot_was_set:", "    - reset_wanted: null"],
            )
        found[path] = text
    return found


def story_text(name: str, label: str, phrase: str, comment: str) -> str:
    return (
        f"{comment}\n- story: {_quoted('Atelier : ' + label)}\n  steps:\n"
        f"  - user: |\n      {phrase}\n    intent: {name}\n  - action: utter_{name}\n"
    )


STORY_HEADER = (
    "# Sésame — histoires de test écrites depuis l'atelier des formateurs (bot/workbench/).\n"
    "# Le rapport vérifie que le bot suit chacune d'elles à la lettre : la question (un de ses\n"
    "# exemples) puis sa réponse. Jamais un vrai numéro.\n"
    'version: "3.1"\n\nstories:\n'
)


def link_section(path: Path, section: str, name: str) -> None:
    """Add ``name`` to the intents of ``section`` in ``couverture.yml`` (its line, or a new one)."""
    if not SECTION_NUMBER.fullmatch(section):
        raise WriterError([f"« {section} » n'est pas un numéro de section du document d'aide."])
    text = path.read_text(encoding="utf-8") if path.exists() else "sections:\n"
    line = re.compile(rf'^(\s*"{re.escape(section)}":\s*\[)([^\]]*)\]', re.MULTILINE)
    found = line.search(text)
    if found is None:
        path.write_text(text.rstrip("\n") + f'\n  "{section}": [{name}]\n', encoding="utf-8")
        return
    listed = [x.strip() for x in found.group(2).split(",") if x.strip()]
    replaced = f"{found.group(1)}{', '.join([*listed, name])}]"
    path.write_text(text[: found.start()] + replaced + text[found.end() :], encoding="utf-8")


class _Snapshot:
    """The files about to change, to put back as they were if anything fails."""

    def __init__(self, root: Path, paths: Iterable[Path]) -> None:
        self.saved = {
            p: (root / p).read_text(encoding="utf-8") if (root / p).exists() else None for p in paths
        }
        self.root = root

    def restore(self) -> None:
        for path, text in self.saved.items():
            if text is None:
                (self.root / path).unlink(missing_ok=True)
            else:
                (self.root / path).write_text(text, encoding="utf-8")


def _checked(root: Path, paths: Iterable[Path], write: Callable[[], None]) -> None:
    snapshot = _Snapshot(root, [*paths, NLU_DIR / "variantes.yml"])
    try:
        write()
        refresh_variants(root)
        found = consistency.problems(root)
        if found:
            raise WriterError(["Les fichiers écrits ne passeraient pas les vérifications :", *found])
    except BaseException:
        snapshot.restore()
        raise


def add_intent(
    label: str,
    examples: Sequence[str],
    answer: str,
    topic: str,
    holdout: Sequence[str],
    *,
    reviewer: str,
    name: str | None = None,
    buttons: Sequence[tuple[str, str]] = (),
    digression: bool = False,
    section: str | None = None,
    root: Path = PROJECT_ROOT,
    session: Session | None = None,
    when: dt.date | None = None,
) -> WrittenIntent:
    """Write a new question everywhere it must be (module docstring); ``WriterError`` lists the mistakes.

    ``section``: the number of the help document's section it answers (« 3.3 »), for the
    coverage table (``couverture.yml``); the caller checks that the section exists.

    ``session``, when given, gets the audit line (committed with the caller's unit of work).
    """
    name = name or name_from_label(label)
    problems = validate_new_intent(
        root,
        name=name,
        label=label,
        examples=examples,
        answer=answer,
        buttons=buttons,
        topic=topic,
        holdout=holdout,
    )
    if problems:
        raise WriterError(problems)
    when = when or dt.date.today()
    comment = added_comment(reviewer, when, "ajoutée")
    files = topic_files(topic)
    rules = _rules_file(root, topic)
    extra = digression_rules(name) if digression else {}
    phrases = [clean_example(x) for x in holdout]
    paths = [
        Path("intents.yml"),
        Path("domain") / "intents.yml",
        Path("domain") / "slots.yml",
        files["responses"],
        rules,
        files["nlu"],
        HOLDOUT_FILE,
        files["story"],
        *extra,
        *([COVERAGE_FILE] if section else []),
    ]
    added: list[str] = []

    def write() -> None:
        settings = [f"    label: {_quoted(label)}", "    button: true"] + (
            ["    digression: true"] if digression else []
        )
        _append(root / "intents.yml", "\n".join([f"  {comment}", f"  {name}:", *settings]) + "\n")
        _insert_before(root / "domain" / "intents.yml", "  - nlu_fallback\n", f"  - {name}\n")
        slots = root / "domain" / "slots.yml"
        text, count = re.subn(
            r"(not_intent:\s*\[[^\]]*?)\s*\]", rf"\1, {name}]", slots.read_text(encoding="utf-8")
        )
        if not count:
            raise WriterError(["domain/slots.yml : la liste not_intent du slot nir est introuvable."])
        slots.write_text(text, encoding="utf-8")
        _append(root / files["responses"], response_block(name, answer, buttons, comment))
        rule = _rule(label, [f"  - intent: {name}", f"  - action: utter_{name}"])
        _append(root / rules, f"\n{comment}\n{rule}")
        for path, text in extra.items():
            _append(root / path, f"\n{comment}\n{text}")
        done = add_examples(
            name, examples, reviewer=reviewer, root=root, path=root / files["nlu"], when=when, refresh=False
        )
        added.extend(done.added)
        block = "".join(f"    - {p}\n" for p in phrases)
        _append(root / HOLDOUT_FILE, f"{comment}\n- intent: {name}\n  examples: |\n{block}")
        story = root / files["story"]
        if not story.exists():
            story.write_text(STORY_HEADER, encoding="utf-8")
        _append(story, story_text(name, label, clean_example(examples[0]), comment))
        if section:
            link_section(root / COVERAGE_FILE, section, name)

    _checked(root, paths, write)
    if session is not None:
        record(
            session,
            reviewer,
            AgentAction.TRAINING_DATA_CHANGED,
            change="intent_added",
            intent=name,
            examples_added=len(added),
        )
    return WrittenIntent(name, tuple(paths), tuple(added))


def _response_span(lines: list[str], name: str) -> tuple[int, int] | None:
    head = f"  utter_{name}:"
    for index, line in enumerate(lines):
        if line.rstrip() == head:
            end = index + 1
            while end < len(lines) and (not lines[end].strip() or lines[end].startswith("   ")):
                end += 1
            while end > index + 1 and not lines[end - 1].strip():
                end -= 1
            return index, end
    return None


def answering_response(root: Path, name: str) -> str | None:
    """What the bot does first when ``name`` is asked (its rule outside forms): a response or an action."""
    for rule in consistency.rules(root):
        steps = rule["steps"]
        if "condition" not in rule and steps[0].get("intent") == name and len(steps) > 1:
            return str(steps[1].get("action"))
    return None


def edit_intent(
    name: str,
    *,
    reviewer: str,
    add: Sequence[str] = (),
    remove: Sequence[str] = (),
    answer: str | None = None,
    buttons: Sequence[tuple[str, str]] | None = None,
    root: Path = PROJECT_ROOT,
    session: Session | None = None,
    when: dt.date | None = None,
) -> WrittenIntent:
    """Add or remove examples of an existing intent, or change its answer (text and buttons)."""
    registry = load_registry(root / "intents.yml")
    if name not in registry.names:
        raise WriterError([f"L'intention « {name} » n'existe pas."])
    when = when or dt.date.today()
    problems: list[str] = []
    keys = {copy_key(x) for x in remove}
    kept = [x for x in training_examples(root).get(name, []) if copy_key(x) not in keys]
    minimum = consistency.MIN_EXAMPLES_HELP if name in registry.help_document else MIN_EXAMPLES
    if remove and len(kept) + len(add) < minimum:
        problems.append(
            f"Il resterait {len(kept) + len(add)} exemples à « {name} » : il en faut au moins {minimum}."
        )
    if add:
        try:
            check_new_examples(root, name, add)
        except TrainingDataError as error:
            problems.append(str(error))
    response_path: Path | None = None
    if answer is not None or buttons is not None:
        if answering_response(root, name) == f"utter_{name}":
            for path in sorted((root / "domain" / "responses").glob("*.yml")):
                if _response_span(path.read_text(encoding="utf-8").splitlines(), name):
                    response_path = path.relative_to(root)
        if response_path is None:
            problems.append(
                f"« {name} » répond par une action programmée : sa réponse se modifie dans le code."
            )
        else:
            variants = consistency.load_domain(root)["responses"][f"utter_{name}"]
            if len(variants) != 1 or set(variants[0]) - {"text", "buttons"}:
                problems.append(f"La réponse de « {name} » a plusieurs versions : modifiez-la à la main.")
            current = variants[0]
            answer = answer if answer is not None else str(current.get("text", ""))
            if buttons is None:
                buttons = [(str(b["title"]), str(b["payload"])) for b in current.get("buttons", []) or []]
            problems += answer_problems(answer)
            problems += button_problems(buttons, registry.button_intents)
    if problems:
        raise WriterError(problems)
    paths = [p.relative_to(root) for p in sorted((root / NLU_DIR).glob("*.yml"))]
    if response_path is not None:
        paths.append(response_path)
    added: list[str] = []

    def write() -> None:
        if remove:
            remove_examples(name, remove, root=root, refresh=False)
        if add:
            added.extend(
                add_examples(name, add, reviewer=reviewer, root=root, when=when, refresh=False).added
            )
        if response_path is not None:
            path = root / response_path
            lines = path.read_text(encoding="utf-8").splitlines()
            span = _response_span(lines, name)
            if span is None:
                raise WriterError([f"La réponse de « {name} » a disparu de {response_path}."])
            comment = "  " + added_comment(reviewer, when, "modifiée")
            start = span[0] - 1 if span[0] and lines[span[0] - 1].startswith("  # Atelier :") else span[0]
            block = response_block(name, answer or "", buttons or (), comment.strip()).splitlines()
            lines[start : span[1]] = block
            path.write_text("\n".join(lines) + "\n", encoding="utf-8")

    _checked(root, paths, write)
    if session is not None:
        record(
            session,
            reviewer,
            AgentAction.TRAINING_DATA_CHANGED,
            change="intent_edited",
            intent=name,
            examples_added=len(added),
            examples_removed=len(remove),
            answer_changed=response_path is not None,
        )
    return WrittenIntent(name, tuple(paths), tuple(added))
