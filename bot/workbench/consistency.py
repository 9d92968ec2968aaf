"""The repository's consistency checks, on any copy of it: what ``make test`` would refuse.

The same rules as ``tests/test_domain.py``, ``tests/test_nlu_data.py``,
``tests/test_nlu_holdout.py`` and ``tests/dialogue/test_registry.py``, computed for a
given root, so that the workbench's writers can check what they wrote (and undo it)
before a trainer ever runs ``make test``. Each problem is a French sentence.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from bot.dialogue.intents import IntentRegistry, RegistryError, load_registry
from bot.settings import PROJECT_ROOT
from bot.training import variants
from bot.training.robust import SEED as ROBUST_SEED
from bot.training.robust import robust_examples
from bot.training.similarity import MAX_SIMILARITY, copy_key, nearest_training_examples, same_ngrams_key
from bot.workbench.training_data import (
    HOLDOUT_DIR,
    NLU_DIR,
    SECRET_INTENTS,
    SECRETS_FILE,
    VARIANTS_FILE,
    holdout_examples,
    training_examples,
)

MIN_EXAMPLES_HELP = 25
MIN_HOLDOUT_PER_INTENT = 15
FORMS = ("login_problem_form", "reset_form", "callback_form")
BUILT_IN_ACTIONS = {"action_deactivate_loop", "action_two_stage_fallback", "action_listen"}


def _load(path: Path) -> Any:
    return YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}


def load_domain(root: Path) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for path in sorted((root / "domain").rglob("*.yml")):
        for key, value in _load(path).items():
            if isinstance(value, dict):
                merged.setdefault(key, {}).update(value)
            elif isinstance(value, list):
                merged.setdefault(key, []).extend(value)
    return merged


def _flows(root: Path, kind: str) -> list[dict[str, Any]]:
    flows: list[dict[str, Any]] = []
    for path in sorted((root / "data" / kind).rglob("*.yml")):
        flows.extend(_load(path).get(kind, []) or [])
    return flows


def rules(root: Path) -> list[dict[str, Any]]:
    """Every rule of ``data/rules/``."""
    return _flows(root, "rules")


def digression_rules(root: Path, form: str) -> set[str]:
    found = set()
    for rule in _flows(root, "rules"):
        steps, condition = rule["steps"], rule.get("condition") or []
        if condition[:1] != [{"active_loop": form}] or len(steps) != 4:
            continue
        intent, answer, resume, loop = steps
        if (
            "intent" in intent
            and not intent.get("entities")
            and answer.get("action") not in (None, form, "action_deactivate_loop")
            and resume == {"action": form}
            and loop == {"active_loop": form}
        ):
            found.add(intent["intent"])
    return found


def _form_answers(domain: dict[str, Any], form: str) -> set[str]:
    found = set()
    for slot in domain.get("slots", {}).values():
        for mapping in slot.get("mappings", []):
            loops = {c.get("active_loop") for c in mapping.get("conditions", [])}
            if mapping.get("type") == "from_intent" and form in loops:
                found.add(mapping["intent"])
    return found


def problems(root: Path = PROJECT_ROOT) -> list[str]:
    """Everything in ``root`` that the repository's tests would refuse (empty: all is well)."""
    try:
        registry = load_registry(root / "intents.yml")
    except RegistryError as error:
        return [str(error)]
    domain = load_domain(root)
    found: list[str] = []
    found += _registry_problems(root, registry, domain)
    found += _nlu_problems(root, registry, domain)
    found += _flow_problems(root, registry, domain)
    return found


def _registry_problems(root: Path, registry: IntentRegistry, domain: dict[str, Any]) -> list[str]:
    found = []
    names, declared = set(registry.names), set(domain.get("intents", []))
    if declared - names:
        found.append(f"Intentions de domain/intents.yml absentes de intents.yml : {sorted(declared - names)}")
    if names - declared:
        found.append(f"Intentions de intents.yml absentes de domain/intents.yml : {sorted(names - declared)}")
    for slot in domain.get("slots", {}).values():
        for mapping in slot.get("mappings", []):
            if "not_intent" in mapping and set(mapping["not_intent"]) != set(registry.not_read_as_nir):
                found.append(
                    "La liste not_intent du slot nir (domain/slots.yml) ne concorde pas avec intents.yml "
                    f"(manquantes : {sorted(set(registry.not_read_as_nir) - set(mapping['not_intent']))})."
                )
    for name, answers in domain.get("responses", {}).items():
        for variant in answers:
            for button in variant.get("buttons", []) or []:
                payload = str(button.get("payload", ""))
                if payload.startswith("/") and payload[1:] not in declared:
                    found.append(
                        f"{name} : le bouton « {button.get('title')} » envoie une intention inconnue."
                    )
    return found


def _nlu_problems(root: Path, registry: IntentRegistry, domain: dict[str, Any]) -> list[str]:
    found = []
    examples = training_examples(root)
    held = holdout_examples(root)
    missing = [i for i in domain.get("intents", []) if i != "nlu_fallback" and not examples.get(i)]
    if missing:
        found.append(f"Intentions sans exemple dans data/nlu/ : {missing}")
    for intent in registry.help_document:
        if len(examples.get(intent, [])) < MIN_EXAMPLES_HELP:
            found.append(
                f"{intent} : il faut au moins {MIN_EXAMPLES_HELP} exemples (question du document d'aide)."
            )
    owner: dict[str, str] = {}
    for intent, phrases in examples.items():
        if intent in SECRET_INTENTS:
            continue
        for phrase in phrases:
            if owner.setdefault(copy_key(phrase), intent) != intent:
                found.append(f"« {phrase} » est un exemple de {owner[copy_key(phrase)]} et de {intent}.")
    short = {i: len(held.get(i, [])) for i in examples if len(held.get(i, [])) < MIN_HOLDOUT_PER_INTENT}
    if short:
        found.append(f"Intentions avec moins de {MIN_HOLDOUT_PER_INTENT} phrases de contrôle : {short}")
    training = [x for xs in examples.values() for x in xs]
    keys = {copy_key(x) for x in training}
    phrases = [x for xs in held.values() for x in xs]
    found += [f"Phrase de contrôle copiée dans data/nlu/ : « {x} »" for x in phrases if copy_key(x) in keys]
    noisy = [x for xs in robust_examples(root / HOLDOUT_DIR, ROBUST_SEED).values() for x in xs]
    for score, phrase, example in nearest_training_examples(phrases + noisy, training):
        if score >= MAX_SIMILARITY:
            found.append(f"Phrase de contrôle presque copiée ({score:.2f}) : « {phrase} » ~ « {example} »")
    seen: dict[str, str] = {}
    for phrase in phrases:
        key = same_ngrams_key(phrase)
        if key in seen:
            found.append(f"Phrases de contrôle en double : « {seen[key]} » = « {phrase} »")
        seen.setdefault(key, phrase)
    for path in (root / NLU_DIR).glob("*.yml"):
        if path.name == SECRETS_FILE:
            continue
        for block in _load(path).get("nlu", []) or []:
            if re.search(r"\d{6,}", str(block.get("examples", ""))):
                found.append(f"{path.name} : un exemple contient six chiffres ou plus.")
    expected = variants.to_yaml(variants.variants(root / NLU_DIR, root / HOLDOUT_DIR))
    if (root / NLU_DIR / VARIANTS_FILE).read_text(encoding="utf-8") != expected:
        found.append(
            "data/nlu/variantes.yml n'est plus à jour : ses copies bruitées des exemples sont à refaire "
            "(un développeur le fait en une commande)."
        )
    return found


def _flow_problems(root: Path, registry: IntentRegistry, domain: dict[str, Any]) -> list[str]:
    found = []
    rules = _flows(root, "rules")
    ruled = {
        rule["steps"][0]["intent"]
        for rule in rules
        if "condition" not in rule and "intent" in rule["steps"][0]
    }
    missing = sorted(set(registry.names) - ruled)
    if missing:
        found.append(f"Intentions sans règle dans data/rules/ : {missing}")
    known = set(domain.get("responses", {})) | set(domain.get("actions", [])) | set(domain.get("forms", {}))
    known |= BUILT_IN_ACTIONS
    stories = _flows(root, "stories")
    for path in sorted((root / "tests" / "stories").glob("*.yml")):
        stories.extend(_load(path).get("stories", []) or [])
    for flow in rules + stories:
        for step in flow["steps"]:
            if "action" in step and step["action"] not in known:
                found.append(
                    f"« {flow.get('rule') or flow.get('story')} » : action inconnue {step['action']}"
                )
    read_as_number = set(registry.names) - set(registry.not_read_as_nir)
    for form in FORMS:
        exempt = _form_answers(domain, form) | (read_as_number if form == "callback_form" else set())
        have = digression_rules(root, form)
        for intent in registry.digressions:
            if intent not in exempt and intent not in have:
                found.append(f"« {intent} » : pas de règle de digression pendant {form}.")
    return found
