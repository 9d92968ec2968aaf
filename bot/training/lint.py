"""The lint of ``make check-data``: one function per rule, French messages with file and line.

Each rule takes the loaded ``Project`` and returns its ``Problem`` list (empty when the
data are fine). ``lint`` runs them all; ``bot.training.check`` prints them.

Thresholds, and why:
- ``NEAR_DUPLICATE`` 0.9: the cosine of character n-grams that the classifier itself
  sees (``bot.training.similarity``), at the value ``tests/test_nlu_holdout.py``
  already calls a near-copy: above it, two phrases differ by a typo or a short word.
  On the data of this repository the closest pairs of different intents that are
  really different questions sit at 0.80–0.82 (« pas reçu de lien » / « le lien marche
  pas »), well under it. A pair that differs only by a negation (« absolument » /
  « absolument pas ») is a deliberate contrast, not a copy, and is not reported.
- ``MIN_EXAMPLES_HELP`` 25: what ``intents.yml`` asks of a help-document question.
- ``CLOSER_MARGIN`` 0.2 and ``CLOSER_MIN_WORDS`` 4: an example whose three nearest
  examples of another intent are, on average, 0.2 closer than its own three nearest.
  Under 0.2 the n-grams disagree with the meaning too often to be worth a trainer's
  time (« sous huitaine ça veut dire quoi » is about the letter yet shares its words with
  « ça veut dire quoi ? »); a phrase of one to three words (« jamais », « tout à fait »)
  shares too few n-grams with anything for the comparison to mean something.
- ``MIN_EXAMPLES`` 10: for any other intent; the number the workbench asks for a new
  question, and below it a logistic regression on n-grams has too few phrases to
  learn more than the words themselves.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.shared.patterns import holds_secret, redact
from bot.training.project import Example, Project, Where
from bot.training.similarity import (
    MAX_SIMILARITY,
    NgramIndex,
    closer_to_another_intent,
    copy_key,
    nearest_training_examples,
    plain,
)

NEAR_DUPLICATE = MAX_SIMILARITY
CLOSER_MARGIN = 0.2
CLOSER_MIN_WORDS = 4
MIN_EXAMPLES_HELP = 25
MIN_EXAMPLES = 10
# The file of noisy copies of the training examples (bot/training/variants.py).
NOISY_GENERATOR = "bot/training/variants.py"
# Words whose presence or absence flips the meaning while moving few n-grams.
NEGATIONS = frozenset(
    {"pas", "non", "ne", "n", "jamais", "plus", "rien", "aucun", "aucune", "sans", "not", "no"}
)
# Intents that are never an example (the fallback sets them itself).
NOT_TRAINED = frozenset({"nlu_fallback"})
# Responses Rasa's default actions say by themselves (action_default_fallback, ask_rephrase).
RASA_DEFAULT_RESPONSES = frozenset({"utter_default", "utter_ask_rephrase"})
# Code that says responses by name.
CODE_DIRECTORIES = ("actions", "bot", "rasa_addons")
ACS_HOST = "acs-assurances.cpms.fr"
_RESPONSE_NAME = re.compile(r"\butter_[a-z0-9_]+\b")
_URL = re.compile(r"https?://[^\s\"'<>)\]}]+", re.IGNORECASE)
# A bare host name (www.exemple.fr, exemple.com/page), not part of an e-mail address.
_HOST = re.compile(
    r"(?<![@\w.\-/])(?:www\.)?[a-z0-9][a-z0-9\-]*(?:\.[a-z0-9\-]+)*\.(?:fr|com|org|net|eu|info|io|be|ch)\b"
    r"(?:/[^\s\"'<>)\]}]*)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Problem:
    """One thing to fix: which rule found it, where, and what to do (French)."""

    rule: str
    where: Where
    message: str

    def __str__(self) -> str:
        return f"{self.where} : {self.message}"


def is_noisy_copy(example: Example) -> bool:
    return example.generator is not None and example.generator.endswith(NOISY_GENERATOR)


def _regenerate_hint(*examples: Example) -> str:
    if any(is_noisy_copy(x) for x in examples):
        return (
            " (data/nlu/variantes.yml est généré : corrigez la phrase d'origine, ses copies bruitées "
            "sont refaites avec elle)"
        )
    return ""


# --- rule 1: the same example under two intents ---------------------------------------


def same_example_two_intents(project: Project) -> list[Problem]:
    """A phrase (accents, case and punctuation aside) given to two intents."""
    first: dict[str, Example] = {}
    problems = []
    for example in project.examples:
        key = copy_key(example.text)
        if not key:
            continue
        seen = first.setdefault(key, example)
        if seen.intent != example.intent:
            problems.append(
                Problem(
                    "doublon",
                    example.where,
                    f"« {example.text} » est rangée sous {example.intent} et aussi sous {seen.intent} "
                    f"({seen.where}). Une phrase ne doit avoir qu'une intention : supprimez-la de "
                    f"l'une des deux{_regenerate_hint(example, seen)}.",
                )
            )
    return problems


# --- rule 2: near-duplicates across intents -------------------------------------------


def _only_negation_apart(a: str, b: str) -> bool:
    words_a, words_b = set(plain(a).split()), set(plain(b).split())
    difference = words_a ^ words_b
    return bool(difference) and difference <= NEGATIONS


def similar_pairs(
    examples: list[Example], threshold: float = NEAR_DUPLICATE
) -> list[tuple[float, Example, Example]]:
    """Pairs of examples of different intents with a cosine of n-grams at ``threshold`` or more."""
    index = NgramIndex([x.text for x in examples])
    pairs = []
    for i, vector in enumerate(index.vectors):
        for j, score in index.cosines(vector).items():
            if j > i and score >= threshold and examples[i].intent != examples[j].intent:
                pairs.append((score, examples[i], examples[j]))
    return sorted(pairs, key=lambda p: (p[1].where.path, p[1].where.line))


def near_duplicates(project: Project, threshold: float = NEAR_DUPLICATE) -> list[Problem]:
    """Two examples of different intents that the classifier sees as almost the same phrase.

    Generated files are left out: the noisy copies (variantes.yml) are near-copies of
    their source by construction, so a conflict there is reported once, at its source;
    the secrets (secrets.yml) are numbers. Exact copies are rule 1's.
    """
    written = [x for x in project.examples if x.generator is None]
    problems = []
    for score, a, b in similar_pairs(written, threshold):
        if copy_key(a.text) == copy_key(b.text) or _only_negation_apart(a.text, b.text):
            continue
        problems.append(
            Problem(
                "quasi-doublon",
                b.where,
                f"« {b.text} » ({b.intent}) ressemble presque mot pour mot à « {a.text} » ({a.intent}, "
                f"{a.where}) : similarité {score:.2f}, seuil {threshold:.2f}. Le bot ne peut pas "
                "apprendre deux intentions pour la même phrase : rangez-les sous la même intention, "
                "ou réécrivez l'une des deux pour dire clairement ce qui les distingue.",
            )
        )
    return problems


# --- rule 2b: an example nearer another intent's examples than its own -------------------


def closer_to_another(project: Project, margin: float = CLOSER_MARGIN) -> list[Problem]:
    """A written example that looks more like another intent's examples than like its own.

    Not a copy (rule 2's), a pull: the classifier learns it mostly from words another
    intent owns, so a member typing something like it may get the other answer.
    """
    written = [x for x in project.examples if x.generator is None]
    found = closer_to_another_intent([(x.intent, x.text) for x in written], margin=margin)
    problems = []
    for i, other, score, own in found:
        example = written[i]
        if len(plain(example.text).split()) < CLOSER_MIN_WORDS:
            continue
        problems.append(
            Problem(
                "plus-proche-d-une-autre-intention",
                example.where,
                f"« {example.text} » ({example.intent}) ressemble davantage aux exemples de {other} "
                f"(similarité {score:.2f}) qu'à ceux de sa propre intention ({own:.2f}). Vérifiez "
                f"qu'elle est bien rangée ; si oui, ajoutez à {example.intent} d'autres phrases "
                "avec les mêmes mots, pour que le bot apprenne ce qui la distingue.",
            )
        )
    return problems


# --- rule 3: too few examples -----------------------------------------------------------


def too_few_examples(
    project: Project, minimum: int = MIN_EXAMPLES, minimum_help: int = MIN_EXAMPLES_HELP
) -> list[Problem]:
    """Examples written for each intent (not counting the noisy copies), against its floor."""
    counts: dict[str, int] = defaultdict(int)
    first: dict[str, Where] = {}
    for example in project.examples:
        if not is_noisy_copy(example):
            counts[example.intent] += 1
            first.setdefault(example.intent, Where(example.where.path, max(example.where.line - 2, 0)))
    help_document = set(project.registry.help_document)
    problems = []
    for intent in project.registry.names:
        if intent in NOT_TRAINED:
            continue
        floor = minimum_help if intent in help_document else minimum
        count = counts.get(intent, 0)
        if count >= floor:
            continue
        why = "une question du document d'aide" if intent in help_document else "une intention"
        problems.append(
            Problem(
                "trop-peu-d-exemples",
                first.get(intent, Where("data/nlu/", 0)),
                f"{intent} n'a que {count} exemple(s) dans data/nlu/ : il en faut au moins {floor} pour "
                f"{why}. Ajoutez des façons différentes de poser la question, écrites comme les adhérents.",
            )
        )
    return problems


# --- rule 4: an example that is also in the holdout -----------------------------------


def holdout_leaks(project: Project, threshold: float = NEAR_DUPLICATE) -> list[Problem]:
    """A training example equal or almost equal to a held-out phrase (tests/holdout/)."""
    if not project.holdout:
        return []
    held = list(project.holdout)
    by_text = {x.text: x for x in held}
    exact = {copy_key(x.text): x for x in held}
    nearest = nearest_training_examples([x.text for x in project.examples], [x.text for x in held])
    problems = []
    for example, (score, _, closest) in zip(project.examples, nearest, strict=True):
        twin = exact.get(copy_key(example.text))
        if twin is not None:
            score = 1.0
        elif score >= threshold:
            twin = by_text[closest]
        else:
            continue
        how = "est aussi" if score >= 1.0 - 1e-9 else f"est presque (similarité {score:.2f})"
        problems.append(
            Problem(
                "phrase-de-controle",
                example.where,
                f"« {example.text} » {how} une phrase de contrôle ({twin.where}, « {twin.text} »). "
                "Les phrases de contrôle mesurent si le bot comprend des phrases qu'il n'a jamais vues : "
                f"retirez celle-ci de data/nlu/ ou écrivez-la autrement{_regenerate_hint(example)}.",
            )
        )
    return problems


# --- rule 5: an answer nothing uses -----------------------------------------------------


def _code_names(root: Path) -> set[str]:
    names: set[str] = set()
    for directory in CODE_DIRECTORIES:
        for path in sorted((root / directory).rglob("*.py")):
            parts = path.relative_to(root).parts
            # Tests do not make a response used; nor do this lint's own words.
            if "tests" in parts or parts[:2] == ("bot", "training"):
                continue
            names.update(_RESPONSE_NAME.findall(path.read_text(encoding="utf-8")))
    return names


def used_responses(project: Project) -> set[str]:
    """Every response something says: rules and stories, code, forms, details, console, Rasa."""
    used = set(RASA_DEFAULT_RESPONSES)
    used.update(s.name for s in project.training_steps if s.kind == "action")
    used.update(_code_names(project.root))
    for form, slots in project.forms.items():
        for slot in slots:
            used.update({f"utter_ask_{slot}", f"utter_ask_{form}_{slot}"})
    # The agents' console says utter_<intent> (or the one it names) for every intent.
    used.update(f"utter_{intent}" for intent in project.registry.names)
    for entry in (project.console.get("intentions") or {}).values():
        if isinstance(entry, dict) and isinstance(entry.get("reponse"), str):
            used.add(entry["reponse"])
    # « Pourquoi ? » says <answer>_detail after <answer> (bot/dialogue/followup.py).
    used.update(f"{name}_detail" for name in list(used))
    return used


def unused_responses(project: Project) -> list[Problem]:
    """A response of domain/responses/ that no rule, story, action, form or console says."""
    used = used_responses(project)
    return [
        Problem(
            "reponse-inutilisee",
            where,
            f"la réponse {name} n'est dite par aucune règle, histoire, action ni formulaire : "
            "ajoutez une règle qui la donne (data/rules/), ou supprimez-la si elle ne sert plus.",
        )
        for name, where in sorted(project.responses.items(), key=lambda item: (item[1].path, item[1].line))
        if name not in used
    ]


# --- rule 6: a link that is not the ACS site -------------------------------------------


def _allowed(link: str, allowed_bases: Iterable[str]) -> bool:
    lowered = link.lower().rstrip(".,;:!?")
    host = re.sub(r"^https?://", "", lowered).split("/", 1)[0]
    if host in (ACS_HOST, f"www.{ACS_HOST}") and not lowered.startswith("http://"):
        return True
    return any(base and lowered.startswith(base.lower()) for base in allowed_bases)


def foreign_links(project: Project, allowed_bases: Iterable[str] = ()) -> list[Problem]:
    """A link in an answer (domain/responses/) other than the ACS site or the reset link."""
    bases = tuple(allowed_bases)
    problems = []
    for path in sorted((project.root / "domain" / "responses").rglob("*.yml")):
        rel = project.relative(path)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            links = _URL.findall(line)
            rest = _URL.sub(" ", line)
            links += _HOST.findall(rest)
            for link in links:
                if _allowed(link, bases):
                    continue
                problems.append(
                    Problem(
                        "lien",
                        Where(rel, number),
                        f"le lien {link.rstrip('.,;:!?')} n'est pas le site d'ACS ({ACS_HOST}, en https) : "
                        "le bot ne doit envoyer les adhérents que sur le site d'ACS. Retirez-le.",
                    )
                )
    return problems


# --- rule 7: a secret in the training examples ----------------------------------------

# The generated numbers the SecretGuard learns from (bot/training/secret_examples.py).
GENERATED_SECRETS_FILE = "data/nlu/secrets.yml"


def secrets_in_examples(project: Project) -> list[Problem]:
    """An example, outside the generated secrets, that the secret gate would mask (any spelling)."""
    return [
        Problem(
            "secret",
            example.where,
            f"« {redact(example.text)} » contient un numéro de Sécurité sociale ou un code d'accès "
            "(quelle que soit son écriture) : il ne doit jamais être dans les données d'entraînement. "
            f"Retirez-le{_regenerate_hint(example)}.",
        )
        for example in project.examples
        if example.where.path != GENERATED_SECRETS_FILE and holds_secret(example.text)
    ]


RULES: dict[str, Callable[[Project], list[Problem]]] = {
    "doublon": same_example_two_intents,
    "quasi-doublon": near_duplicates,
    "plus-proche-d-une-autre-intention": closer_to_another,
    "trop-peu-d-exemples": too_few_examples,
    "phrase-de-controle": holdout_leaks,
    "reponse-inutilisee": unused_responses,
    "secret": secrets_in_examples,
}


def lint(project: Project, allowed_bases: Iterable[str] = ()) -> list[Problem]:
    """Every rule but the coverage one (``bot.training.coverage``)."""
    problems: list[Problem] = []
    for rule in RULES.values():
        problems.extend(rule(project))
    problems.extend(foreign_links(project, allowed_bases))
    return problems
