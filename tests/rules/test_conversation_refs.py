"""Staff references to conversations: readable on the phone, stable, secret-keyed, never a sender id."""

from __future__ import annotations

import re
import secrets

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.rules.conversation_refs import ConversationRefs, normalize_reference

SHAPE = re.compile(r"[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{4}-[0-9A-HJKMNP-TV-Z]{2}")
# The sender ids that POST /chat and GET /chat/flux accept (bot/web/routes/chat.py).
SENDER = re.compile(r"[A-Za-z0-9_-]{16,64}")
sender_ids = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_", min_size=16)


def a_sender() -> str:
    return secrets.token_urlsafe(24)


@settings(max_examples=200, deadline=None)
@given(sender_ids)
def test_a_reference_is_readable_and_is_never_a_sender_id(sender: str) -> None:
    reference = ConversationRefs("secret").of(sender)
    assert SHAPE.fullmatch(reference)
    assert not SENDER.fullmatch(reference)
    assert not SENDER.fullmatch(reference.replace("-", ""))
    assert reference not in sender and sender not in reference


def test_the_same_conversation_keeps_its_reference_and_another_secret_gives_another() -> None:
    sender = a_sender()
    assert ConversationRefs("secret").of(sender) == ConversationRefs("secret").of(sender)
    assert ConversationRefs("secret").of(sender) != ConversationRefs("another").of(sender)
    assert len({ConversationRefs("secret").of(a_sender()) for _ in range(500)}) == 500


def test_a_reference_is_not_the_plain_hash_of_the_id() -> None:
    """Nobody without the server's secret can compute one from an id (nor check a guess)."""
    import hashlib
    import hmac

    sender = a_sender()
    reference = ConversationRefs("secret").of(sender).replace("-", "")
    for digest in (
        hashlib.sha256(sender.encode()).hexdigest().upper(),
        hmac.new(b"secret", sender.encode(), hashlib.sha256).hexdigest().upper(),
    ):
        assert reference not in digest


def test_a_reference_read_out_on_the_phone_is_understood() -> None:
    refs = ConversationRefs("secret")
    sender = a_sender()
    reference = refs.of(sender)
    typed = reference.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    assert normalize_reference(typed) == reference
    assert refs.matches(sender, typed)
    assert not refs.matches(a_sender(), reference)
    assert not refs.matches(sender, sender)


def test_what_is_not_a_reference_is_refused() -> None:
    for text in ("", "conv-1", "C7F3-K9QX-2", "C7F3-K9QX-2MM", "C7F3-K9QX-2U", a_sender()):
        assert normalize_reference(text) is None


def test_an_old_id_is_shown_as_its_reference_and_a_reference_as_itself() -> None:
    refs = ConversationRefs("secret")
    sender = a_sender()
    assert refs.shown(sender) == refs.of(sender)
    assert refs.shown(refs.of(sender)) == refs.of(sender)
