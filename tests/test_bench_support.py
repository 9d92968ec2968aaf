"""The benchmark's own pieces (scripts/bench_members.py, scripts/bench_client.py): members and client."""

from __future__ import annotations

from stdnum.fr import nir

from bot.rules.nir import normalize_nir
from scripts.bench_client import SourceAddresses, percentile
from scripts.bench_members import LETTER_EVERY, generate


def test_generated_members_have_distinct_nirs_valid_by_checksum() -> None:
    members = generate(3000)
    numbers = [member.nir.replace(" ", "") for member in members]
    assert len(set(numbers)) == len(numbers)
    assert all(nir.is_valid(number) for number in numbers)
    assert all(normalize_nir(member.nir) == member.nir.replace(" ", "") for member in members[:50])
    without_email = [member for member in members if not member.record()["email"]]
    assert len(without_email) == len(members) // LETTER_EVERY


def test_each_conversation_gets_its_own_loopback_address() -> None:
    addresses = SourceAddresses()
    first = [next(addresses) for _ in range(300)]
    assert first[:2] == ["127.0.0.2", "127.0.0.3"]
    assert first[254] == "127.0.1.0"
    assert len(set(first)) == len(first)
    assert all(address.startswith("127.") for address in first)


def test_nearest_rank_percentiles() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7
