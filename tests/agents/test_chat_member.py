"""A NIR typed to the agent in a live chat: found in the free text, looked up behind the member's limits.

``nir_typed_in`` picks the number out of whatever the member wrote; ``member_ref_of_typed``
returns the member's keyed hash (never the number), counting the look-up against the
same limits per client, per network and for everyone as the bot's own look-ups.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from sqlalchemy import Engine, select

from bot.agents.chat_member import member_ref_of_typed
from bot.db.engine import session_scope
from bot.db.models import Member, NirLookup
from bot.limits.clients import client_hash
from bot.limits.lookups import CLIENT_LIMIT, MEMBER, PER_CLIENT, UNKNOWN
from bot.members.lookup import hash_nir
from bot.rules.nir import nir_typed_in
from tests.agents.conftest import KEY, NOW, UNKNOWN_NIR, WITH_EMAIL
from tests.support.nirs import spellings, valid_nirs

CLIENT = "web:0123456789abcdef0123456789abcdef.0123456789abcdef"
PER_MINUTE = 120


@given(valid_nirs)
def test_a_valid_nir_is_found_in_a_sentence_however_it_is_spelled(nir: str) -> None:
    for spelled in spellings(nir):
        assert nir_typed_in(f"bonjour, voici mon numéro : {spelled}. merci !") == nir


@pytest.mark.parametrize(
    "text",
    [
        "bonjour, je n'ai pas reçu l'e-mail",
        "mon code c'est 482 913",
        "appelez-moi au 06 12 34 56 78",
        # A NIR-like number whose key is wrong: ignored, never explained to anyone.
        f"mon numéro {WITH_EMAIL[:-2]}{(int(WITH_EMAIL[-2:]) + 1) % 100:02d}",
    ],
)
def test_no_valid_nir_means_none(text: str) -> None:
    assert nir_typed_in(text) is None


def test_the_first_valid_number_of_the_message_is_the_one() -> None:
    assert nir_typed_in(f"pas {UNKNOWN_NIR[:-2]}00 mais {WITH_EMAIL} ou {UNKNOWN_NIR}") == WITH_EMAIL


def lookups(engine: Engine) -> list[tuple[str, str | None, str]]:
    with session_scope(engine) as session:
        rows = session.scalars(select(NirLookup).order_by(NirLookup.id)).all()
        return [(row.client_hash, row.nir_hash, row.outcome) for row in rows]


def named(engine: Engine, text: str, client: str = CLIENT) -> str | None:
    """What the web tier does with a live chat's message: the number out of it, then the look-up."""
    nir = nir_typed_in(text)
    if nir is None:
        return None
    with session_scope(engine) as session:
        return member_ref_of_typed(session, nir, KEY, client, NOW, PER_MINUTE)


def test_a_members_number_gives_their_keyed_hash_and_one_audited_look_up(
    engine: Engine, members: dict[str, int]
) -> None:
    assert named(engine, f"c'est le {spellings(WITH_EMAIL)[1]}") == hash_nir(WITH_EMAIL, KEY)
    assert named(engine, f"ou alors {UNKNOWN_NIR}") is None  # valid, but nobody's
    assert named(engine, "je n'ai pas mon numéro sous la main") is None  # no look-up at all
    assert lookups(engine) == [
        (client_hash(CLIENT, KEY), hash_nir(WITH_EMAIL, KEY), MEMBER),
        (client_hash(CLIENT, KEY), hash_nir(UNKNOWN_NIR, KEY), UNKNOWN),
    ]
    with session_scope(engine) as session:  # the reset page's rule on the NIR's digits can be told
        member = session.get_one(Member, members["email"])
        assert member.nir_window_hashes


def test_the_members_look_up_limit_holds_in_the_live_chat(engine: Engine, members: dict[str, int]) -> None:
    for _ in range(PER_CLIENT):
        named(engine, f"numéro {UNKNOWN_NIR}")
    assert named(engine, f"numéro {WITH_EMAIL}") is None  # a member's, but the client is over its limit
    assert lookups(engine)[-1] == (client_hash(CLIENT, KEY), None, CLIENT_LIMIT)
    other = "web:fedcba9876543210fedcba9876543210.fedcba9876543210"
    assert named(engine, f"numéro {WITH_EMAIL}", other) == hash_nir(WITH_EMAIL, KEY)
