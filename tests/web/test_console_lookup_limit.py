"""An agent's account cannot be used to go through members' files (issue 20, finding 4).

The attack, as found: an agent's session answered 100 NIRs in 1.3 s, with names and
cities. Now an agent opens at most ``AGENT_LOOKUPS_PER_HOUR`` files an hour, across
web workers; supervisors find the alert in the journal; unknown numbers are audited
with their keyed hash. Real database (SQLite and PostgreSQL), real app, no Rasa.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bot.agents import accounts
from bot.agents.audit import record
from bot.agents.lookup_limit import WINDOW, check_agent_lookups
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole
from bot.db.models import AgentAuditEntry, Member
from bot.members.lookup import hash_nir
from bot.settings import DEFAULTS, Settings
from bot.web.app import create_app
from tests.support.nirs import with_key

PAGE = "http://127.0.0.1:8080"
SAME_ORIGIN = {"Origin": PAGE}
KEY = "cle-de-test-des-recherches-des-conseillers"
PASSWORD = "Correct-cheval-agrafe-42"  # noqa: S105 - a test account
MEMBER_NIR = with_key("1850775123456")
PER_HOUR = int(DEFAULTS["AGENT_LOOKUPS_PER_HOUR"])


def numbers(count: int) -> list[str]:
    """Valid NIRs (by their key) of nobody: what an agent going through numbers would type."""
    return [with_key(f"1{80 + n % 20:02d}{1 + n % 12:02d}75{100 + n:03d}{200 + n:03d}") for n in range(count)]


@pytest.fixture
def db(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        session.add(
            Member(
                nir_hash=hash_nir(MEMBER_NIR, KEY),
                first_name="Alice",
                last_name="Martin",
                email="alice.martin@exemple.test",
                street="1 rue des Tests",
                postal_code="75001",
                city="Paris",
            )
        )
        accounts.add_agent(session, "claire", PASSWORD, actor="cli:test")
        accounts.add_agent(session, "sam", PASSWORD, actor="cli:test", role=AgentRole.SUPERVISEUR)
    return engine


def worker(db: Engine) -> TestClient:
    """One web worker of the site on the shared database."""
    settings = Settings.from_values({"NIR_HASH_KEY": KEY, "RESET_URL_BASE": f"{PAGE}/reinitialiser"})
    return TestClient(
        create_app(settings, db, rasa_transport=httpx.MockTransport(lambda r: httpx.Response(500))),
        base_url=PAGE,
    )


@pytest.fixture
def workers(db: Engine) -> Iterator[tuple[TestClient, TestClient]]:
    with worker(db) as first, worker(db) as second:
        yield first, second


def sign_in(client: TestClient, login: str = "claire") -> None:
    answer = client.post(
        "/conseiller/connexion",
        data={"identifiant": login, "mot_de_passe": PASSWORD},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303


def look_up(client: TestClient, nir: str) -> httpx.Response:
    answer: httpx.Response = client.post("/conseiller/api/adherent", json={"nir": nir}, headers=SAME_ORIGIN)
    return answer


def audit(db: Engine, action: AgentAction) -> list[AgentAuditEntry]:
    with session_scope(db) as session:
        entries = session.scalars(select(AgentAuditEntry).where(AgentAuditEntry.action == action.value)).all()
        session.expunge_all()
        return list(entries)


def test_going_through_100_numbers_stops_at_the_hourly_limit_across_web_workers(
    db: Engine, workers: tuple[TestClient, TestClient]
) -> None:
    first, second = workers
    sign_in(first)
    second.cookies.update(first.cookies)  # the same agent's session, served by another worker
    statuses = [look_up(first if n % 2 else second, nir).status_code for n, nir in enumerate(numbers(100))]
    assert statuses[:PER_HOUR] == [422] * PER_HOUR  # unknown members, each a look-up
    assert set(statuses[PER_HOUR:]) == {429}
    refused = look_up(first, MEMBER_NIR)
    assert refused.status_code == 429 and "Alice" not in refused.text
    assert refused.json()["error"].startswith(f"Vous avez ouvert {PER_HOUR} dossiers en une heure")
    assert 0 < int(refused.headers["Retry-After"]) <= 3600
    alerts = audit(db, AgentAction.LOOKUP_LIMIT_REACHED)
    assert [(a.actor, a.detail) for a in alerts] == [("claire", {"par_heure": PER_HOUR})]


def test_supervisors_see_the_alert_in_the_journal(db: Engine, workers: tuple[TestClient, TestClient]) -> None:
    agent, supervisor = workers
    sign_in(agent)
    for nir in numbers(PER_HOUR + 1):
        look_up(agent, nir)
    sign_in(supervisor, "sam")
    journal = supervisor.get("/conseiller/api/journal").json()
    assert ("claire", "lookup_limit_reached") in {(line["acteur"], line["action"]) for line in journal}


def test_malformed_numbers_do_not_count_and_others_agents_are_not_affected(
    db: Engine, workers: tuple[TestClient, TestClient]
) -> None:
    claire, sam = workers
    sign_in(claire)
    for _ in range(PER_HOUR + 5):
        assert look_up(claire, "1 85 07").status_code == 422  # never reached the member database
    assert look_up(claire, MEMBER_NIR).status_code == 200
    for nir in numbers(PER_HOUR):
        look_up(claire, nir)
    assert look_up(claire, MEMBER_NIR).status_code == 429
    sign_in(sam, "sam")
    assert look_up(sam, MEMBER_NIR).status_code == 200


def test_an_unknown_members_number_is_audited_with_its_keyed_hash_never_the_number(
    db: Engine, workers: tuple[TestClient, TestClient]
) -> None:
    client, _ = workers
    sign_in(client)
    tried = numbers(1)[0]
    assert look_up(client, tried).status_code == 422
    lookups = audit(db, AgentAction.MEMBER_LOOKUP)
    assert [(e.nir_hash, e.detail["resultat"]) for e in lookups] == [(hash_nir(tried, KEY), "unknown_member")]
    assert tried not in json.dumps([e.detail for e in lookups])


def test_a_look_up_frees_up_when_the_oldest_leaves_the_hour(engine: Engine) -> None:
    start = dt.datetime(2026, 12, 7, 9, 0, tzinfo=dt.timezone.utc)
    with session_scope(engine) as session:
        for minute in range(3):
            at = start + dt.timedelta(minutes=minute)
            record(session, "claire", AgentAction.MEMBER_LOOKUP, nir_hash=f"{minute:064x}", now=at)
    later = start + dt.timedelta(minutes=30)
    with session_scope(engine) as session:
        reached = check_agent_lookups(session, "claire", 3, later)
        assert reached is not None and reached.retry_at == start + WINDOW
        assert check_agent_lookups(session, "claire", 4, later) is None
        assert check_agent_lookups(session, "claire", 3, start + WINDOW + dt.timedelta(seconds=1)) is None
