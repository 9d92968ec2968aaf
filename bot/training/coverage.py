"""Which part of the help document each intent answers, and what each part still lacks.

The help document (``../shared/seed/aide-connexion-espace-adherent.txt``) is cut into
its numbered sections (« 1. », « 1.1. »…). ``couverture.yml``, at the project root,
maintained by trainers, gives the intents that answer each section. For every section
the coverage table says whether it has an intent, whether each intent has examples,
an answer (``utter_<intent>``, or what its rule makes the bot do) and a test story
(``tests/stories/``). A section with none of them is a question members would ask
and the bot could not answer.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from bot.training.lint import Problem, is_noisy_copy
from bot.training.project import Project, Where

COVERAGE_FILE = "couverture.yml"
HELP_DOCUMENT_NAME = "aide-connexion-espace-adherent.txt"
_SECTION = re.compile(r"^\s*(\d+(?:\.\d+)*)\.\s+(\S.*?)\s*:?\s*$")


def default_help_document(root: Path) -> Path:
    """``../shared/seed/`` beside the project, as the design notes place it, else the project's copy.

    The copy (``docs/``) lets a clone anywhere, CI included, check coverage;
    ``tests/training/test_help_document_copy.py`` fails when it differs from the original.
    """
    original = root.parent / "shared" / "seed" / HELP_DOCUMENT_NAME
    return original if original.is_file() else root / "docs" / HELP_DOCUMENT_NAME


@dataclass(frozen=True)
class Section:
    """A numbered section of the help document: « 2 », « Demande ou oubli de code d'accès »."""

    number: str
    title: str
    line: int
    text: str = ""
    # A heading in capitals (« 2. DEMANDE OU OUBLI… »), not a step like « 3.4. Accepter ».
    heading: bool = False

    @property
    def summary(self) -> str:
        """The title, with the start of the text when the title alone says little (« Accepter »)."""
        if self.heading or len(self.title.split()) >= 3 or not self.text:
            return self.title
        summary = f"{self.title} {self.text}"
        return summary if len(summary) <= 60 else summary[:59].rstrip() + "…"


def _title(raw: str) -> str:
    raw = raw.strip().rstrip(":").strip()
    return raw[:1] + raw[1:].lower() if raw.upper() == raw else raw


def parse_help_document(text: str) -> list[Section]:
    """The numbered sections, in order, each with the text up to the next one."""
    sections: list[Section] = []
    body: list[str] = []
    current: tuple[str, str, int] | None = None

    def close() -> None:
        if current is not None:
            number, raw, line = current
            text = " ".join(x.strip() for x in body if x.strip())
            sections.append(Section(number, _title(raw), line, text, heading=raw.upper() == raw))

    for number, line in enumerate(text.splitlines(), start=1):
        match = _SECTION.match(line)
        if match:
            close()
            current, body = (match.group(1), match.group(2), number), []
        else:
            body.append(line)
    close()
    return sections


@dataclass
class Row:
    """One line of the coverage table."""

    section: Section
    intents: list[str]
    # intent → number of examples (noisy copies aside), its answer (or None), test stories.
    examples: dict[str, int] = field(default_factory=dict)
    answers: dict[str, str | None] = field(default_factory=dict)
    tests: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        return bool(self.intents) and all(
            self.examples.get(i) and self.answers.get(i) and self.tests.get(i) for i in self.intents
        )


@dataclass
class Coverage:
    rows: list[Row]
    problems: list[Problem]


def _answers(project: Project) -> dict[str, str]:
    """intent → what the bot does right after it in a rule or story (its first action)."""
    found: dict[str, str] = {}
    steps = project.training_steps
    for step, following in itertools.pairwise(steps):
        if step.kind == "intent" and following.kind == "action" and step.where.path == following.where.path:
            found.setdefault(step.name, following.name)
    return found


def load_mapping(path: Path, root: Path) -> tuple[dict[str, tuple[list[str], int]], list[Problem]]:
    """``couverture.yml``: section number → (intents, line)."""
    rel = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.as_posix()
    if not path.exists():
        return {}, [
            Problem(
                "couverture",
                Where(rel, 0),
                f"le fichier {COVERAGE_FILE} manque : il dit quelles intentions répondent à chaque "
                "section du document d'aide.",
            )
        ]
    try:
        data: Any = YAML().load(path.read_text(encoding="utf-8")) or {}
    except YAMLError as error:
        return {}, [
            Problem("couverture", Where(rel, 0), f"fichier illisible (alignement, guillemets ?) : {error}")
        ]
    sections = data.get("sections") if isinstance(data, dict) else None
    if not isinstance(sections, dict):
        return {}, [
            Problem("couverture", Where(rel, 0), "il faut une liste « sections: » en tête du fichier.")
        ]
    mapping: dict[str, tuple[list[str], int]] = {}
    problems = []
    for key, intents in sections.items():
        line = int(sections.lc.key(key)[0]) + 1  # type: ignore[attr-defined]
        if not isinstance(key, str):
            problems.append(
                Problem(
                    "couverture",
                    Where(rel, line),
                    f'écrivez le numéro de section entre guillemets (« "{key}": »), sinon 1.10 se lit 1.1.',
                )
            )
            continue
        if intents is None:
            intents = []
        if isinstance(intents, str):
            intents = [intents]
        if not isinstance(intents, list) or not all(isinstance(i, str) for i in intents):
            problems.append(
                Problem("couverture", Where(rel, line), f"section {key} : une liste d'intentions, [a, b].")
            )
            continue
        mapping[key] = ([str(i) for i in intents], line)
    return mapping, problems


def coverage(project: Project, help_document: Path | None = None) -> Coverage:
    """The coverage table of the help document, and what is missing, in French."""
    document = help_document or default_help_document(project.root)
    mapping_path = project.root / COVERAGE_FILE
    mapping, problems = load_mapping(mapping_path, project.root)
    rel = project.relative(mapping_path)
    if not document.exists():
        problems.append(
            Problem(
                "couverture",
                Where(document.as_posix(), 0),
                "le document d'aide est introuvable : impossible de vérifier que chaque section "
                "a sa réponse.",
            )
        )
        return Coverage([], problems)
    sections = parse_help_document(document.read_text(encoding="utf-8"))
    examples = Counter(x.intent for x in project.examples if not is_noisy_copy(x))
    tests = Counter(s.name for s in project.test_steps if s.kind == "intent")
    answers = _answers(project)
    known = set(project.registry.names)
    rows = []
    incomplete: dict[str, tuple[Where, list[str]]] = {}
    for section in sections:
        intents, line = mapping.get(section.number, ([], 0))
        where = Where(rel, line)
        row = Row(section, intents)
        rows.append(row)
        name = f"la section {section.number} « {section.summary} » du document d'aide"
        if not intents:
            problems.append(
                Problem(
                    "couverture",
                    where,
                    f"{name} n'a aucune intention : ajoutez dans {COVERAGE_FILE} la ligne "
                    f'« "{section.number}": [intention] », ou créez l\'intention qui y répond.',
                )
            )
            continue
        for intent in intents:
            if intent not in known:
                problems.append(
                    Problem(
                        "couverture",
                        where,
                        f"{name} : l'intention {intent} n'existe pas dans intents.yml (faute de frappe ?).",
                    )
                )
                continue
            row.examples[intent] = examples.get(intent, 0)
            answer = f"utter_{intent}" if f"utter_{intent}" in project.responses else answers.get(intent)
            row.answers[intent] = answer
            row.tests[intent] = tests.get(intent, 0)
            if not (row.examples[intent] and answer and row.tests[intent]):
                incomplete.setdefault(intent, (where, []))[1].append(section.number)
    # What an intent lacks is said once, with every section it answers.
    for intent, (where, numbers_of) in incomplete.items():
        sections_said = ("la section " if len(numbers_of) == 1 else "les sections ") + ", ".join(numbers_of)
        lacks = []
        if not examples.get(intent):
            lacks.append("aucun exemple dans data/nlu/")
        if f"utter_{intent}" not in project.responses and intent not in answers:
            lacks.append(
                f"pas de réponse (ni utter_{intent} dans domain/responses/, "
                "ni règle de data/rules/ qui dise quoi faire)"
            )
        if not tests.get(intent):
            lacks.append(
                "aucune histoire de test (tests/stories/) où un adhérent pose cette question avec ses mots"
            )
        problems.append(
            Problem(
                "couverture",
                where,
                f"{intent}, qui répond à {sections_said} du document d'aide : " + " ; ".join(lacks) + ".",
            )
        )
    numbers = {s.number for s in sections}
    for number, (_, line) in mapping.items():
        if number not in numbers:
            problems.append(
                Problem(
                    "couverture",
                    Where(rel, line),
                    f"la section {number} n'existe pas dans le document d'aide ({document.name}).",
                )
            )
    mapped = {i for intents, _ in mapping.values() for i in intents}
    for intent in project.registry.help_document:
        if intent not in mapped:
            problems.append(
                Problem(
                    "couverture",
                    Where(rel, 0),
                    f"{intent} est marquée « help_document: true » dans intents.yml mais n'est rattachée à "
                    f"aucune section : ajoutez-la à la section du document d'aide à laquelle elle répond.",
                )
            )
    return Coverage(rows, problems)


def table(rows: list[Row]) -> str:
    """The coverage table as aligned text, for the terminal."""
    header = ("Section", "Titre", "Intentions", "Exemples", "Réponse", "Tests", "État")
    lines = [header]
    for row in rows:
        summary = row.section.summary
        title = summary if len(summary) <= 40 else summary[:39].rstrip() + "…"
        intents = row.intents or ["—"]
        for k, intent in enumerate(intents):
            lines.append(
                (
                    row.section.number if k == 0 else "",
                    title if k == 0 else "",
                    intent,
                    str(row.examples.get(intent, "—")),
                    row.answers.get(intent) or "—",
                    str(row.tests.get(intent, "—")),
                    ("couverte" if row.complete else "À COMPLÉTER") if k == 0 else "",
                )
            )
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip() for line in lines
    )
