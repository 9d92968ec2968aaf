"""The request bodies of Sésame's webhooks (rasa_addons/json_requests.py), shared by the channels."""

from __future__ import annotations

import json

from rasa_addons import agent_channel, channels, model_channel
from rasa_addons.json_requests import MAX_BODY_BYTES, REFUSALS, error_response, json_object


def test_a_json_object_is_read() -> None:
    assert json_object("application/json; charset=utf-8", b'{"text": "code"}') == {"text": "code"}


def test_what_is_refused_and_with_which_status() -> None:
    assert json_object("text/plain", b"{}") == 415
    assert json_object("", b"{}") == 415
    assert json_object("application/json", b'{"t": "' + b"x" * MAX_BODY_BYTES + b'"}') == 413
    assert json_object("application/json", b"\xff") == 400
    assert json_object("application/json", b"[" * 8000) == 400
    for not_an_object in (b"[]", b"3", b'"texte"', b"null"):
        assert json_object("application/json", not_an_object) == 400, not_an_object


def test_every_channel_words_the_shared_refusals_alike() -> None:
    for errors in (channels.ERRORS, agent_channel.ERRORS):
        assert {status: errors[status] for status in REFUSALS} == REFUSALS
    assert 400 in channels.ERRORS and 400 in agent_channel.ERRORS and 400 in model_channel.ERRORS


def test_an_error_is_a_french_json_sentence() -> None:
    answer = error_response(REFUSALS, 413)
    assert answer.status == 413
    assert answer.body is not None
    assert json.loads(answer.body) == {"error": "Requête trop volumineuse : 16 Ko au plus."}
