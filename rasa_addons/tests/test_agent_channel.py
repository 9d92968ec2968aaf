"""The agents' channel reads the NLU model for the signed web tier only, and nothing else."""

from __future__ import annotations

import json

from rasa.core.channels.channel import InputChannel

from rasa_addons.agent_channel import ERRORS, AgentAssistInput, allowed, question_of, ranking

TOKEN = "jeton-du-canal"  # noqa: S105 - a test value


def body(value: object) -> bytes:
    return json.dumps(value).encode()


def test_only_the_signed_web_tier_naming_an_agent_may_ask() -> None:
    assert allowed({"x-sesame-channel": TOKEN, "x-sesame-agent": "claire"}, TOKEN)
    assert not allowed({"x-sesame-channel": TOKEN}, TOKEN)  # no agent named
    assert not allowed({"x-sesame-channel": "autre", "x-sesame-agent": "claire"}, TOKEN)
    assert not allowed({"x-sesame-agent": "claire"}, TOKEN)
    assert not allowed({"x-sesame-channel": TOKEN, "x-sesame-agent": "Claire Dupont"}, TOKEN)
    assert not allowed({"x-sesame-channel": "", "x-sesame-agent": "claire"}, "")  # no token set: closed


def test_the_question_is_checked_and_typed_payloads_are_neutralised() -> None:
    assert question_of("application/json", body({"text": "code perdu"})) == "code perdu"
    assert question_of("text/plain", body({"text": "code perdu"})) == 415
    assert question_of("application/json", b"x" * 20_000) == 413
    bad: object
    for bad in ({}, {"text": ""}, {"text": 3}, {"text": "a" * 2001}, [], "texte"):
        assert question_of("application/json", body(bad)) == 400, bad
    assert question_of("application/json", b"\xff") == 400
    # "/intent{…}" typed by anyone is text, as in the member channel.
    typed = '/provide_nir{"nir": "1"}'
    assert question_of("application/json", body({"text": typed})) != typed


def test_the_ranking_keeps_the_real_candidates_without_the_fallback() -> None:
    parsed = {
        "intent": {"name": "nlu_fallback", "confidence": 0.7},
        "intent_ranking": [
            {"name": "nlu_fallback", "confidence": 0.7},
            {"name": "email_not_received", "confidence": 0.41},
            {"name": "forgot_access_code", "confidence": 0.3},
            {"name": "postal_letter", "confidence": 0.1},
            {"name": "greet", "confidence": 0.05},
        ],
    }
    assert ranking(parsed) == [
        {"name": "email_not_received", "confidence": 0.41},
        {"name": "forgot_access_code", "confidence": 0.3},
        {"name": "postal_letter", "confidence": 0.1},
    ]


def test_the_channel_never_hands_a_message_to_the_bot() -> None:
    """It has no route that calls on_new_message: nothing reaches a tracker or an action."""
    called: list[object] = []

    async def on_new_message(message: object) -> None:
        called.append(message)

    channel = AgentAssistInput()
    assert isinstance(channel, InputChannel) and channel.name() == "agent"
    blueprint = channel.blueprint(on_new_message)
    uris = sorted(route.uri for route in blueprint._future_routes)
    assert uris == ["/", "/parse"]
    assert called == []
    assert ERRORS[403] == "Réservé à la console des conseillers."
