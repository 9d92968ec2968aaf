"""The terminal chat numbers the buttons and sends their payload when a number is typed."""

from __future__ import annotations

import io
import urllib.error
from typing import Any

from bot.cli.chat import chat, render


def test_render_numbers_buttons_in_order() -> None:
    text, payloads = render(
        [{"text": "Que se passe-t-il ?", "buttons": [{"title": "CAPTCHA", "payload": "/too_many_attempts"}]}]
    )
    assert text == "Sésame : Que se passe-t-il ?\n  [1] CAPTCHA"
    assert payloads == ["/too_many_attempts"]


def test_typing_a_button_number_sends_its_payload() -> None:
    sent: list[str] = []

    def fake_send(url: str, sender: str, text: str) -> list[dict[str, Any]]:
        sent.append(text)
        return [{"text": "ok", "buttons": [{"title": "Oublié", "payload": "/forgot_access_code"}]}]

    typed = iter(["je narrive pas a me connecter", "1", "7", ""])
    out = io.StringIO()
    assert chat("http://x", read=lambda: next(typed), out=out, send=fake_send) == 0
    assert sent == ["je narrive pas a me connecter", "/forgot_access_code", "7"]


def test_unreachable_server_gets_a_french_message() -> None:
    def down(url: str, sender: str, text: str) -> list[dict[str, Any]]:
        raise urllib.error.URLError("refused")

    out = io.StringIO()
    typed = iter(["bonjour"])
    assert chat("http://127.0.0.1:1/", read=lambda: next(typed), out=out, send=down) == 1
    assert "make run" in out.getvalue()
