"""The domain keeps the design's contracts and the help document's facts."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import ROOT, load_yaml, training_files

DESIGN_INTENTS = """how_to_login where_is_access_code forgot_access_code first_login
too_many_attempts personalized_code_rejected cannot_login access_code_rules email_not_received
postal_letter terms_of_use ask_website provide_nir request_human greet goodbye thank affirm deny
bot_challenge out_of_scope""".split()


def all_texts(domain: dict[str, Any], name: str) -> str:
    return " ".join(variant["text"] for variant in domain["responses"][name])


def test_every_design_intent_and_the_nir_entity_exist(domain: dict[str, Any]) -> None:
    assert set(DESIGN_INTENTS) <= set(domain["intents"])
    assert "nir" in domain["entities"]


@pytest.mark.parametrize(
    ("response", "facts"),
    [
        ("utter_how_to_login", ["acs-assurances.cpms.fr", "Espace Adhérent", "code d'accès sécurisé"]),
        ("utter_where_is_access_code", ["décomptes Santé ACS", "carte de tiers payant"]),
        (
            "utter_forgot_access_code",
            ["Vous avez oublié votre code d'accès ou vous souhaitez l'obtenir ?", "quelques minutes",
             "6 chiffres", "sous huitaine", "adresse postale"],
        ),
        ("utter_too_many_attempts", ["3 tentatives", "CAPTCHA"]),
        ("utter_personalized_code_rejected", ["6 chiffres", "réinitialiser"]),
        ("utter_access_code_rules", ["6 chiffres"]),
        ("utter_postal_letter", ["huitaine"]),
        ("utter_terms_of_use", ["Conditions Générales d'Utilisation"]),
        ("utter_ask_website", ["acs-assurances.cpms.fr"]),
    ],
)  # fmt: skip
def test_answers_state_the_help_document_facts(
    domain: dict[str, Any], response: str, facts: list[str]
) -> None:
    text = all_texts(domain, response)
    for fact in facts:
        assert fact in text, f"{response} should say {fact!r}"


def test_first_login_steps_are_in_the_documents_order(domain: dict[str, Any]) -> None:
    text = all_texts(domain, "utter_first_login")
    steps = ["Connectez-vous", "Personnalisez", "Reconnectez-vous", "Conditions Générales"]
    positions = [text.index(step) for step in steps]
    assert positions == sorted(positions)


def test_every_button_payload_is_a_known_intent(domain: dict[str, Any]) -> None:
    for name, variants in domain["responses"].items():
        for variant in variants:
            for button in variant.get("buttons", []):
                if not button["payload"].startswith("/"):
                    continue  # plain words, as if typed (the call-back's « Le matin »)
                assert button["payload"].lstrip("/") in domain["intents"], f"{name}: {button}"


def test_every_action_used_in_rules_and_stories_exists(domain: dict[str, Any]) -> None:
    known = set(domain["responses"]) | set(domain["actions"]) | set(domain["forms"])
    known |= {"action_deactivate_loop", "action_two_stage_fallback", "action_listen"}
    for path in [
        *training_files("rules"),
        *training_files("stories"),
        *sorted((ROOT / "tests" / "stories").glob("*.yml")),
    ]:
        data = load_yaml(path)
        for flow in data.get("rules", []) + data.get("stories", []):
            for step in flow["steps"]:
                if "action" in step:
                    assert step["action"] in known, f"{path.name}: {step['action']}"


def test_no_response_mentions_facts_outside_the_document(domain: dict[str, Any]) -> None:
    """A cheap guard: no phone number, price or delay the document (or an issue) does not give."""
    # The 3-requests-per-24-hours limit is the resets issue's own rule.
    limits_from_issues = {"utter_reset_daily_limit"}
    for name in domain["responses"]:
        text = all_texts(domain, name)
        assert not re.search(r"\b0\d(?:[ .]?\d{2}){4}\b", text), name
        assert "€" not in text, name
        if name not in limits_from_issues:
            assert "24 h" not in text and "48 h" not in text, name


def test_every_response_named_in_the_code_exists(domain: dict[str, Any]) -> None:
    """Actions utter responses by name; a typo there would only show at run time."""
    sources = list((ROOT / "actions").glob("*.py")) + list((ROOT / "bot").rglob("*.py"))
    named = {
        m for path in sources for m in re.findall(r"\"(utter_[a-z_]+)\"", path.read_text(encoding="utf-8"))
    }
    named -= {"utter_action"}  # Rasa's metadata key naming a bot event's response, not a response
    assert named, "expected the actions to name responses"
    assert sorted(named - set(domain["responses"])) == []
