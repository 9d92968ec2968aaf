"""The secret guard: codes and NIRs typed in the chat, and a code inside a question about the rules."""

from __future__ import annotations

import pytest
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from rasa_addons.secret_guard import SecretGuard, Verdict, forced_intent, verdict

NIR = "2 84 05 75 102 028 34"  # fictitious


@pytest.mark.parametrize(
    "text",
    ["482913", "mon code c'est 482 913", "voila mon code 6 1 7 2 4 8 il marche pas"],
)
def test_a_shared_code_is_always_a_shared_code(text: str) -> None:
    assert forced_intent(text) == "share_access_code"
    assert verdict(text, "personalized_code_rejected", 0.99) == Verdict("share_access_code")


def test_a_lone_nir_is_a_nir() -> None:
    assert forced_intent(NIR) == "provide_nir"


def test_a_code_in_a_confident_rules_question_keeps_the_question_and_flags_the_code() -> None:
    text = "Puis-je choisir 000000 ?"
    found = verdict(text, "access_code_rules", 0.8)
    assert found is not None and found.intent == "access_code_rules"
    assert found.code_span is not None
    start, end = found.code_span
    assert text[start:end] == "000000"


def test_a_weak_rules_guess_is_only_warned_about() -> None:
    assert verdict("000000 ?", "access_code_rules", 0.2) == Verdict("share_access_code")


def test_no_secret_no_verdict() -> None:
    assert verdict("combien de chiffres pour le code ?", "access_code_rules", 0.9) is None


def message(text: str, intent: str, confidence: float) -> Message:
    msg = Message(data={TEXT: text})
    msg.set(INTENT, {"name": intent, "confidence": confidence})
    msg.set(INTENT_RANKING_KEY, [{"name": intent, "confidence": confidence}])
    return msg


def test_the_component_flags_the_code_without_its_digits() -> None:
    text = "est-ce que 123456 ça marche comme code ?"
    [out] = SecretGuard().process([message(text, "access_code_rules", 0.7)])
    assert out.get(INTENT) == {"name": "access_code_rules", "confidence": 1.0}
    [flag] = out.get(ENTITIES)
    assert (flag["entity"], flag["value"]) == ("access_code_typed", "oui")
    assert text[flag["start"] : flag["end"]] == "123456"


def test_the_component_forces_the_warning_otherwise() -> None:
    [out] = SecretGuard().process([message("mon code 123456 est refusé", "personalized_code_rejected", 0.9)])
    assert out.get(INTENT)["name"] == "share_access_code"
    assert not out.get(ENTITIES)
