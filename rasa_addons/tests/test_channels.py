"""The REST channel keeps button payloads from the registry and neutralises the rest."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from rasa_addons.channels import (
    BUTTON_INTENTS,
    EMPTY_MESSAGE_PAYLOAD,
    ERRORS,
    SafeRestInput,
    check_request,
    client_label,
    is_automatic,
    is_signed,
    prefers_callback,
)


def extract(message: object) -> str | None:
    return SafeRestInput()._extract_message(SimpleNamespace(json={"sender": "s", "message": message}))


def test_the_button_intents_come_from_the_registry() -> None:
    assert {"forgot_access_code", "request_human", "affirm", "out_of_scope"} <= BUTTON_INTENTS
    assert "provide_nir" not in BUTTON_INTENTS


def test_a_button_payload_passes_and_a_typed_entity_payload_does_not() -> None:
    assert extract("/forgot_access_code") == "/forgot_access_code"
    assert extract('/provide_nir{"nir": "1"}') == 'provide_nir{"nir": "1"}'
    assert extract(42) == EMPTY_MESSAGE_PAYLOAD


@pytest.mark.parametrize("typed", ["/", "\u200b", "   ", "", None])
def test_a_message_empty_once_cleaned_becomes_the_fallback_intent(typed: object) -> None:
    assert extract(typed) == "/nlu_fallback"


def test_requests_are_checked_before_rasa_reads_them() -> None:
    good = json.dumps({"sender": "abc-DEF_123", "message": "bonjour"}).encode()
    assert check_request("application/json", good) is None
    assert check_request("application/json; charset=utf-8", good) is None
    assert check_request("text/plain", good) == 415
    assert check_request("", good) == 415
    assert check_request("application/json", b'{"sender": "a", "message": "' + b"x" * 20_000 + b'"}') == 413
    assert check_request("application/json", b"[" * 8000) == 400
    assert check_request("application/json", b"\xff") == 400
    assert check_request("application/json", b"[]") == 400
    for sender in ["", "a" * 65, "a b", "é", "../x", 42, None]:
        body = json.dumps({"sender": sender, "message": "bonjour"}).encode()
        assert check_request("application/json", body) == 400, sender
    assert check_request("application/json", json.dumps({"sender": "a", "message": 3}).encode()) == 400


def test_the_client_label_is_believed_only_from_the_signed_web_tier() -> None:
    web = "web:" + "0123456789abcdef" * 2
    assert client_label({"client": web}, signed=True, remote_address="127.0.0.1") == web
    assert client_label({"client": web}, signed=False, remote_address="127.0.0.1") == "direct:127.0.0.1"
    assert client_label({"client": "web:pas-un-hash"}, True, "10.0.0.2") == "direct:10.0.0.2"
    with_network = web + ".0123456789abcdef"  # the address's network, keyed too (#20)
    assert client_label({"client": with_network}, signed=True, remote_address="127.0.0.1") == with_network
    assert client_label({"client": web + ".pas-un-hash"}, True, "10.0.0.2") == "direct:10.0.0.2"
    assert client_label(None, True, "10.0.0.2") == "direct:10.0.0.2"
    assert is_signed("jeton", "jeton") and not is_signed("jeton", "autre")
    assert not is_signed(None, "jeton") and not is_signed("", "") and not is_signed("x", None)


def test_a_call_back_choice_is_believed_only_from_the_signed_web_tier() -> None:
    assert prefers_callback({"client": "web:x", "rappel": True}, signed=True)
    assert not prefers_callback({"client": "web:x", "rappel": True}, signed=False)
    assert not prefers_callback({"rappel": "true"}, signed=True)  # exactly true, nothing else
    assert not prefers_callback({"client": "web:x"}, signed=True)
    assert not prefers_callback(None, signed=True)


def test_the_widgets_own_greeting_is_believed_only_from_the_signed_web_tier() -> None:
    assert is_automatic({"client": "web:x", "automatique": True}, signed=True)
    assert not is_automatic({"client": "web:x", "automatique": True}, signed=False)
    assert not is_automatic({"automatique": "true"}, signed=True)
    assert not is_automatic({"client": "web:x"}, signed=True)


def test_refusals_are_french_json() -> None:
    assert ERRORS[413] == "Requête trop volumineuse : 16 Ko au plus."
    assert ERRORS[415].startswith("Seul le JSON") and ERRORS[400].startswith("Requête illisible")
