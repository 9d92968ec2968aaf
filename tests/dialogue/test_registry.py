"""intents.yml, the one list of intents, agrees with the domain, the rules and the code.

Trainers edit intents.yml and the data files; these tests tell them, in French, what
they forgot (an intent missing from the domain, a digression rule missing in a form).
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.dialogue.intents import (
    BUTTON_INTENTS,
    INTENT_LABELS,
    REGISTRY,
    TOPIC_MENU,
    RegistryError,
    parse_registry,
)
from rasa_addons.intents import button_intents
from tests.conftest import ROOT, load_yaml, training_files

FORMS_RULES = {
    "login_problem_form": "data/rules/diagnostic.yml",
    "reset_form": "data/rules/nouveau_code.yml",
    "callback_form": "data/rules/conseiller.yml",
}
# Intents read as the form's answer without a ``from_intent`` mapping: while the
# call-back form asks for the moment or the phone number, what intents.yml reads as a
# number (``read_as_nir``: digits taken for a NIR or for something out of scope) is
# that answer (data/rules/conseiller.yml, « … est lu comme la réponse »).
ANSWERED_BY_THE_FORM = {"callback_form": set(REGISTRY.names) - set(REGISTRY.not_read_as_nir)}


def test_the_registry_lists_exactly_the_domain_intents(domain: dict[str, Any]) -> None:
    registry, declared = set(REGISTRY.names), set(domain["intents"])
    assert not declared - registry, (
        f"Intentions de domain/intents.yml absentes de intents.yml : {sorted(declared - registry)}"
    )
    assert not registry - declared, (
        f"Intentions de intents.yml absentes de domain/intents.yml : {sorted(registry - declared)}"
    )


def test_labels_buttons_and_menu_name_known_intents(domain: dict[str, Any]) -> None:
    for name in [*INTENT_LABELS, *BUTTON_INTENTS, *TOPIC_MENU]:
        assert name in domain["intents"], f"{name} (intents.yml) n'est pas une intention du domaine"
    assert set(INTENT_LABELS) <= BUTTON_INTENTS
    assert set(TOPIC_MENU) <= set(INTENT_LABELS)
    assert TOPIC_MENU == (
        "cannot_login",
        "forgot_access_code",
        "first_login",
        "where_is_access_code",
        "request_human",
    )


def test_secrets_and_the_fallback_can_never_be_sent_by_a_button() -> None:
    """A typed "/provide_nir" must go through the NLU, never straight to the reset form."""
    assert not {"provide_nir", "share_access_code", "nlu_fallback"} & BUTTON_INTENTS


def test_the_rasa_server_reads_the_same_button_intents() -> None:
    assert button_intents() == BUTTON_INTENTS


def form_answers(domain: dict[str, Any], form: str) -> set[str]:
    """Intents that answer the form's own question (a ``from_intent`` slot mapping in that form)."""
    found = set()
    for slot in domain["slots"].values():
        for mapping in slot.get("mappings", []):
            loops = {c.get("active_loop") for c in mapping.get("conditions", [])}
            if mapping.get("type") == "from_intent" and form in loops:
                found.add(mapping["intent"])
    return found


def digression_rules(form: str) -> dict[str, str]:
    """Intent → rule name, for the rules "while ``form`` is active, answer ``intent``, resume"."""
    found = {}
    for path in training_files("rules"):
        for rule in load_yaml(path).get("rules", []):
            steps = rule["steps"]
            # The form must be active; a rule may ask more (the reset form's digressions
            # resume only once the offer was accepted: ``reset_wanted: true``).
            condition = rule.get("condition") or []
            if condition[:1] != [{"active_loop": form}] or len(steps) != 4:
                continue
            intent, answer, resume, loop = steps
            # An intent with an entity (a NIR given with the wish) takes another path.
            if (
                "intent" in intent
                and not intent.get("entities")
                and answer.get("action") not in (None, form, "action_deactivate_loop")
                and resume == {"action": form}
                and loop == {"active_loop": form}
            ):
                found[intent["intent"]] = rule["rule"]
    return found


def rule_template(form: str, intent: str) -> str:
    return (
        f'- rule: "… : digression ({intent}) puis reprise"\n  condition:\n  - active_loop: {form}\n'
        f"  steps:\n  - intent: {intent}\n  - action: utter_{intent}\n  - action: {form}\n"
        f"  - active_loop: {form}"
    )


@pytest.mark.parametrize("form", sorted(FORMS_RULES))
def test_every_digression_has_its_rule_in_each_form(domain: dict[str, Any], form: str) -> None:
    rules = digression_rules(form)
    exempt = form_answers(domain, form) | ANSWERED_BY_THE_FORM.get(form, set())
    for intent in REGISTRY.digressions:
        if intent in exempt:
            continue
        assert intent in rules, (
            f"« {intent} » est marquée « digression: true » dans intents.yml, mais {FORMS_RULES[form]} "
            f"n'a pas de règle qui y répond pendant le formulaire {form} puis le reprend. "
            f"Ajoutez, sur le modèle des autres :\n{rule_template(form, intent)}"
        )


@pytest.mark.parametrize("form", sorted(FORMS_RULES))
def test_every_digression_rule_is_declared_in_the_registry(form: str) -> None:
    # nlu_fallback in the reset form asks to rephrase: not a question the member asked.
    undeclared = set(digression_rules(form)) - set(REGISTRY.digressions) - {"nlu_fallback"}
    assert not undeclared, (
        f"{FORMS_RULES[form]} a des règles « digression (…) puis reprise » pour {sorted(undeclared)} : "
        "ajoutez « digression: true » à ces intentions dans intents.yml."
    )


def test_the_nir_slot_ignores_exactly_the_intents_not_read_as_a_nir(domain: dict[str, Any]) -> None:
    lists = [
        mapping["not_intent"]
        for slot in domain["slots"].values()
        for mapping in slot.get("mappings", [])
        if "not_intent" in mapping
    ]
    assert lists, "expected the nir slot to list the intents that are not a number"
    for not_intent in lists:
        assert set(not_intent) == set(REGISTRY.not_read_as_nir), (
            "La liste not_intent du slot nir (domain/slots.yml) doit contenir toutes les intentions "
            "de intents.yml sans « read_as_nir: true ». "
            f"En trop : {sorted(set(not_intent) - set(REGISTRY.not_read_as_nir))} ; "
            f"manquantes : {sorted(set(REGISTRY.not_read_as_nir) - set(not_intent))}"
        )


def test_every_domain_intent_has_a_rule() -> None:
    """A rule for every intent (outside forms) is what lets RulePolicy run alone (config.yml)."""
    ruled = {
        step["intent"]
        for path in training_files("rules")
        for rule in load_yaml(path).get("rules", [])
        if "condition" not in rule
        for step in rule["steps"][:1]
        if "intent" in step
    }
    missing = sorted(set(REGISTRY.names) - ruled)
    assert not missing, f"Intentions sans règle dans data/rules/ : {missing}"


def test_the_registry_file_is_where_the_comments_say() -> None:
    assert (ROOT / "intents.yml").is_file()
    assert "intents.yml" not in {p.name for p in (ROOT / "data").rglob("*")}


@pytest.mark.parametrize(
    ("settings", "complaint"),
    [
        ({"lable": "Oups"}, "réglage inconnu lable"),
        ({"button": "oui"}, "« button » vaut true ou false"),
        ({"label": "Parler à quelqu'un"}, "ajoutez « button: true »"),
        ({"menu": 1}, "doit avoir un libellé"),
        ({"label": "", "button": True}, "libellé"),
        ({"menu": 0, "label": "x", "button": True}, "place dans le menu"),
        ({"staff_label": " "}, "staff_label"),
        ({"staff_label": 3}, "staff_label"),
    ],
)
def test_mistakes_in_the_registry_are_explained_in_french(settings: dict[str, Any], complaint: str) -> None:
    with pytest.raises(RegistryError, match=complaint) as error:
        parse_registry({"intents": {"new_topic": settings}})
    assert "new_topic" in str(error.value)


def test_two_intents_cannot_share_a_menu_place() -> None:
    data = {
        "intents": {
            "a": {"label": "A", "button": True, "menu": 1},
            "b": {"label": "B", "button": True, "menu": 1},
        }
    }
    with pytest.raises(RegistryError, match="déjà prise par a"):
        parse_registry(data)


def test_staff_names_never_become_a_members_button() -> None:
    registry = parse_registry(
        {
            "intents": {
                "deny": {"staff_label": "Non", "button": True},
                "thank": None,
                "a": {"label": "A", "button": True},
            }
        }
    )
    assert registry.staff_labels == {"deny": "Non", "thank": "thank", "a": "A"}
    assert registry.labels == {"a": "A"}  # « Vouliez-vous dire : Non ? » is never offered


def test_an_intent_without_settings_is_a_plain_intent() -> None:
    registry = parse_registry({"intents": {"goodbye": None}})
    assert registry.names == ("goodbye",)
    assert registry.button_intents == frozenset()
    assert registry.not_read_as_nir == ("goodbye",)


def test_every_help_question_can_be_asked_during_a_form_unless_it_starts_one(domain: dict[str, Any]) -> None:
    """A new help-document question must say what happens mid-form: marking it as a
    digression brings in the rule checks above; only a question that starts a form
    itself ("je n'arrive pas à me connecter", "code oublié") may go without."""
    starts_a_form = {
        rule["steps"][0]["intent"]
        for path in training_files("rules")
        for rule in load_yaml(path).get("rules", [])
        if "condition" not in rule
        and "intent" in rule["steps"][0]
        and any(step.get("action") in domain["forms"] for step in rule["steps"])
    }
    # A number given unasked, or "no email address", leads into the reset form too;
    # asking for an agent when none is available leads into the call-back form.
    assert starts_a_form == {
        "cannot_login",
        "forgot_access_code",
        "no_email_address",
        "provide_nir",
        "request_human",
    }
    for intent in REGISTRY.help_document:
        assert intent in REGISTRY.digressions or intent in starts_a_form, (
            f"« {intent} » est une question du document d'aide : ajoutez « digression: true » dans "
            "intents.yml et ses règles de digression dans data/rules/diagnostic.yml et "
            "data/rules/nouveau_code.yml."
        )


def test_the_callback_form_reads_as_its_answer_what_the_registry_reads_as_a_number() -> None:
    """Digits taken for a NIR or for something out of scope are the phone number asked for."""
    read = set()
    for rule in load_yaml(ROOT / "data" / "rules" / "conseiller.yml")["rules"]:
        steps = rule["steps"]
        if (rule.get("condition") or [])[:1] == [{"active_loop": "callback_form"}] and steps[1:] == [
            {"action": "callback_form"},
            {"active_loop": "callback_form"},
        ]:
            read.add(steps[0].get("intent"))
    assert ANSWERED_BY_THE_FORM["callback_form"] <= read
