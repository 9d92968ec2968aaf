"""The member surface as an attacker tries it, on the real processes (issue #9).

Internal services listen on loopback and refuse strangers; look-ups are limited per
client across conversations; Rasa's channel refuses what no member sends.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Sesame
from tests.support.nirs import with_key


def _listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket listening on ``port`` (from /proc, IPv4 and IPv6)."""
    found: set[str] = set()
    for table in (Path("/proc/net/tcp"), Path("/proc/net/tcp6")):
        for line in table.read_text().splitlines()[1:]:
            fields = line.split()
            address, port_hex = fields[1].rsplit(":", 1)
            if fields[3] == "0A" and int(port_hex, 16) == port:
                found.add(address)
    return found


def test_internal_services_listen_on_loopback_only(sesame: Sesame) -> None:
    loopback = {"0100007F"}  # 127.0.0.1, as /proc/net/tcp writes it
    for port in (sesame.rasa_port, sesame.actions_port, sesame.web_port):
        addresses = _listening_addresses(port)
        assert addresses and addresses <= loopback, (port, addresses)


def _post(url: str, body: bytes, content_type: str = "application/json") -> tuple[int, str]:
    with httpx.Client(trust_env=False, timeout=60) as client:
        answer = client.post(url, content=body, headers={"Content-Type": content_type})
    return answer.status_code, answer.text


def test_an_unauthenticated_call_to_the_action_server_is_refused(sesame: Sesame) -> None:
    call = {"next_action": "action_submit_reset", "tracker": {"slots": {"member_ref": "x"}}}
    status, body = _post(f"http://127.0.0.1:{sesame.actions_port}/webhook", json.dumps(call).encode())
    assert status == 401
    assert "refusé" in json.loads(body)["error"]


def test_twenty_look_ups_from_one_address_get_at_most_ten_answers(sesame: Sesame) -> None:
    unknown_numbers = [with_key(f"1{80 + i:02d}0275{100 + i:03d}{200 + i:03d}") for i in range(20)]
    answered, limited = 0, 0
    for number in unknown_numbers:
        sender = secrets.token_urlsafe(16)  # a new conversation each time: no help from the sender id
        sesame.chat(sender, "j'ai oublié mon code d'accès")
        sesame.chat(sender, "oui")
        text = " ".join(message["text"] for message in sesame.chat(sender, number))
        if "Réessayez dans" in text:
            limited += 1
        elif "Je ne trouve aucun adhérent ACS avec ce numéro" in text:
            answered += 1
        else:
            pytest.fail(f"unexpected answer: {text}")
    assert answered <= 10
    assert answered + limited == 20 and limited >= 10


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b'{"sender": "abc", "message": "bonjour"}', "text/plain", 415),
        (json.dumps({"sender": "abc", "message": "x" * 20_000}).encode(), "application/json", 413),
        (json.dumps({"sender": "a" * 200, "message": "bonjour"}).encode(), "application/json", 400),
        (b"[" * 8000, "application/json", 400),
    ],
)
def test_rasa_channel_refuses_what_no_member_sends(
    sesame: Sesame, body: bytes, content_type: str, status: int
) -> None:
    got, text = _post(f"http://127.0.0.1:{sesame.rasa_port}/webhooks/rest/webhook", body, content_type)
    assert got == status
    assert json.loads(text)["error"]


def test_a_body_far_too_big_is_refused_before_it_is_read(sesame: Sesame) -> None:
    got, _ = _post(f"http://127.0.0.1:{sesame.rasa_port}/webhooks/rest/webhook", b"x" * 2_000_000)
    assert got == 413


@pytest.mark.parametrize("typed", ["/", "\u200b"])
def test_a_message_empty_once_cleaned_gets_the_topic_menu(sesame: Sesame, typed: str) -> None:
    replies = sesame.send(secrets.token_urlsafe(16), typed)
    assert replies and "sujets sur lesquels je peux vous aider" in replies[0]["text"]
