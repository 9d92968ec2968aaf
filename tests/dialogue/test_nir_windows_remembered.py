"""The chat's NIR check gives a member imported earlier the hashes of its NIR's 6-digit runs."""

from __future__ import annotations

import datetime as dt

from bot.db.models import Member
from bot.dialogue.reset import MemberFound, check_nir
from bot.rules.nir_windows import nir_window_hashes
from tests.support.nirs import with_key

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def test_a_member_found_in_the_chat_gets_its_nir_windows_once() -> None:
    nir = with_key("2840775123456")
    member = Member(first_name="Jeanne", last_name="Exemple")
    assert isinstance(check_nir(nir, "key", lambda ref: member, NOW), MemberFound)
    assert member.nir_window_hashes == nir_window_hashes(nir, "key")
    kept = ["déjà là"]
    member.nir_window_hashes = kept
    check_nir(nir, "key", lambda ref: member, NOW)
    assert member.nir_window_hashes is kept
