"""A terminal chat with a running Sésame, through the REST channel.

For trainers and agents who want to try the bot without a browser: type a
message, or the number of a button to press it. Empty line or Ctrl-D quits.
"""

from __future__ import annotations

import json
import secrets
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any, TextIO


def post_message(url: str, sender: str, text: str) -> list[dict[str, Any]]:
    """Send one message; the bot's answers as Rasa returns them."""
    body = json.dumps({"sender": sender, "message": text}).encode("utf-8")
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, data=body, headers=headers)  # noqa: S310 - configured URL
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - configured URL
        answers: list[dict[str, Any]] = json.loads(response.read())
    return answers


def render(answers: list[dict[str, Any]]) -> tuple[str, list[str]]:
    """The answers as terminal text, and the payloads of the numbered buttons."""
    lines: list[str] = []
    payloads: list[str] = []
    for answer in answers:
        if answer.get("text"):
            lines.append(f"Sésame : {answer['text']}")
        for button in answer.get("buttons", []):
            payloads.append(button["payload"])
            lines.append(f"  [{len(payloads)}] {button['title']}")
    return "\n".join(lines), payloads


def chat(
    url: str,
    read: Callable[[], str] = input,
    out: TextIO = sys.stdout,
    send: Callable[[str, str, str], list[dict[str, Any]]] = post_message,
) -> int:
    sender = f"terminal-{secrets.token_hex(8)}"
    print("Conversation avec Sésame (ligne vide ou Ctrl-D pour quitter).", file=out)
    payloads: list[str] = []
    while True:
        try:
            typed = read().strip()
        except EOFError:
            return 0
        if not typed:
            return 0
        if typed.isdigit() and 1 <= int(typed) <= len(payloads):
            typed = payloads[int(typed) - 1]
        try:
            text, payloads = render(send(url, sender, typed))
        except (urllib.error.URLError, OSError) as error:
            print(f"Sésame ne répond pas sur {url} ({error}). Lancez-le avec `make run`.", file=out)
            return 1
        print(text or "Sésame : (pas de réponse)", file=out)
