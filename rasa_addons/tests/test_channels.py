"""The REST channel keeps button payloads from the registry and neutralises the rest."""

from __future__ import annotations

from types import SimpleNamespace

from rasa_addons.channels import BUTTON_INTENTS, SafeRestInput


def extract(message: object) -> str | None:
    return SafeRestInput()._extract_message(SimpleNamespace(json={"sender": "s", "message": message}))


def test_the_button_intents_come_from_the_registry() -> None:
    assert {"forgot_access_code", "request_human", "affirm", "out_of_scope"} <= BUTTON_INTENTS
    assert "provide_nir" not in BUTTON_INTENTS


def test_a_button_payload_passes_and_a_typed_entity_payload_does_not() -> None:
    assert extract("/forgot_access_code") == "/forgot_access_code"
    assert extract('/provide_nir{"nir": "1"}') == 'provide_nir{"nir": "1"}'
    assert extract(42) == ""
