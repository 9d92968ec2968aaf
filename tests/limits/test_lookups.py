"""NIR look-ups are limited per client and overall, in the database, and audited."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

from sqlalchemy import Engine, func, select

from bot.db.engine import session_scope
from bot.db.models import NirLookup
from bot.limits import lookups
from bot.limits.clients import UNKNOWN_CLIENT, client_hash, client_of, network_of, network_of_address
from bot.limits.lookups import LookupRefused, record_outcome, reserve_lookup
from bot.settings import Settings
from bot.web.rasa import client_label

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
ALICE = client_hash("web:alice", "k")
BOB = client_hash("web:bob", "k")


def look_up(
    engine: Engine,
    client: str,
    at: dt.datetime,
    found: bool = True,
    per_minute: int = lookups.GLOBAL_PER_MINUTE,
    network: str | None = None,
) -> NirLookup | LookupRefused:
    with session_scope(engine) as session:
        reserved = reserve_lookup(session, client, at, per_minute, network)
        if isinstance(reserved, NirLookup):
            record_outcome(reserved, "a" * 64, found)
        return reserved


def test_ten_look_ups_an_hour_per_client_then_a_retry_time(engine: Engine) -> None:
    answers = [look_up(engine, ALICE, NOW + dt.timedelta(minutes=i)) for i in range(20)]
    assert all(isinstance(answer, NirLookup) for answer in answers[:10])
    refused = answers[10:]
    assert all(isinstance(answer, LookupRefused) and not answer.everyone for answer in refused)
    assert {answer.retry_at for answer in refused if isinstance(answer, LookupRefused)} == {
        NOW + dt.timedelta(hours=1)
    }
    # Another client is not affected; the first one may look up again an hour later.
    assert isinstance(look_up(engine, BOB, NOW + dt.timedelta(minutes=20)), NirLookup)
    assert isinstance(look_up(engine, ALICE, NOW + dt.timedelta(hours=1, seconds=1)), NirLookup)


def test_every_look_up_is_audited_with_hashes_only(engine: Engine) -> None:
    look_up(engine, ALICE, NOW, found=True)
    look_up(engine, ALICE, NOW, found=False)
    for i in range(12):
        look_up(engine, BOB, NOW + dt.timedelta(seconds=i))
    with session_scope(engine) as session:
        rows = session.scalars(select(NirLookup).order_by(NirLookup.id)).all()
        outcomes = [(row.client_hash == ALICE, row.outcome) for row in rows]
    assert outcomes[:2] == [(True, "member"), (True, "unknown")]
    assert [outcome for _, outcome in outcomes[2:]] == ["member"] * 10 + ["client_limit"] * 2
    assert all(len(row.client_hash) == 64 and "bob" not in row.client_hash for row in rows)


def test_above_the_global_rate_every_look_up_pauses(engine: Engine) -> None:
    for i in range(5):
        assert isinstance(look_up(engine, client_hash(f"web:{i}", "k"), NOW, per_minute=5), NirLookup)
    paused = look_up(engine, client_hash("web:new", "k"), NOW + dt.timedelta(seconds=10), per_minute=5)
    assert isinstance(paused, LookupRefused) and paused.everyone
    assert paused.retry_at == NOW + dt.timedelta(seconds=70)
    later = NOW + dt.timedelta(minutes=2)
    assert isinstance(look_up(engine, client_hash("web:new", "k"), later, per_minute=5), NirLookup)


def test_the_global_rate_is_the_operators_setting() -> None:
    assert Settings.from_values({}).lookups_per_minute == lookups.GLOBAL_PER_MINUTE == 120
    assert Settings.from_values({"LOOKUPS_PER_MINUTE": "600"}).lookups_per_minute == 600


def test_concurrent_look_ups_of_one_client_never_exceed_the_limit(engine: Engine) -> None:
    results: list[NirLookup | LookupRefused] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(5):
            answer = look_up(engine, ALICE, NOW)
            with lock:
                results.append(answer)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(isinstance(answer, NirLookup) for answer in results) == 10
    with session_scope(engine) as session:
        answered = session.scalar(select(func.count()).where(NirLookup.outcome == "member"))
    assert answered == 10


def test_the_client_comes_from_the_latest_member_message() -> None:
    events: list[dict[str, Any]] = [
        {"event": "user", "metadata": {"client": "web:abc"}},
        {"event": "bot", "metadata": {"client": "forged"}},
        {"event": "user", "metadata": {"client": "web:def"}},
        {"event": "action", "name": "reset_form"},
    ]
    assert client_of(events) == "web:def"
    assert client_of([{"event": "user"}]) == UNKNOWN_CLIENT
    assert client_of([]) == UNKNOWN_CLIENT
    assert client_of([{"event": "user", "metadata": {"client": 42}}]) == UNKNOWN_CLIENT
    assert client_hash("web:a", "k") != client_hash("web:a", "other key") != client_hash("web:b", "k")


def test_many_addresses_of_one_network_cannot_take_everyones_look_ups(engine: Engine) -> None:
    """The attack of issue 20: 135 look-ups from 15 addresses of one network in 15.6 s took the
    minute's whole budget, and a real member then read "momentanément très sollicitée"."""
    key = "k"
    answered = 0
    for n in range(135):
        label = client_label(f"203.0.113.{10 + n % 15}", key)
        at = NOW + dt.timedelta(seconds=n * 15.6 / 135)
        reserved = look_up(engine, client_hash(label, key), at, network=client_hash(network_of(label), key))
        answered += isinstance(reserved, NirLookup)
    assert answered == lookups.PER_NETWORK < lookups.GLOBAL_PER_MINUTE
    member = client_label("198.51.100.7", key)
    real = look_up(
        engine,
        client_hash(member, key),
        NOW + dt.timedelta(seconds=16),
        network=client_hash(network_of(member), key),
    )
    assert isinstance(real, NirLookup)
    with session_scope(engine) as session:
        limited = session.scalar(select(func.count()).where(NirLookup.outcome == "network_limit"))
    assert limited == 135 - lookups.PER_NETWORK


def test_a_network_is_an_ipv4_slash_24_or_an_ipv6_slash_64() -> None:
    assert network_of_address("203.0.113.9") == network_of_address("203.0.113.250") == "203.0.113.0/24"
    assert network_of_address("203.0.114.9") != network_of_address("203.0.113.9")
    assert network_of_address("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert network_of_address("[2001:db8:1:2::5]") == "2001:db8:1:2::/64"
    assert network_of_address("testclient") == "testclient"
    assert network_of("direct:127.0.0.5") == network_of("direct:127.0.0.9") == "direct-net:127.0.0.0/24"
    same, other = client_label("203.0.113.9", "k"), client_label("203.0.113.77", "k")
    assert same != other and network_of(same) == network_of(other) != network_of(
        client_label("192.0.2.1", "k")
    )
    assert network_of("web:" + "ab" * 16) == "web:" + "ab" * 16  # an older label: its own network
    assert "203.0.113" not in same
