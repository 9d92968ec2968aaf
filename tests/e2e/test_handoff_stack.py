"""Hand-offs through the real processes (issue #12): web tier → Rasa → action server → database.

(a) An agent signed in and marked « disponible »: « je veux parler à un conseiller »
    queues a live hand-off with its summary and a masked transcript, and
    ``./sesame handoffs list --json`` lists it.
(b) Nobody available: the member is told so and leaves a call-back, with a bad then
    a good phone number; the CLI lists it, and the conversation store keeps no number.

Messages go through the web tier (``sesame.chat``): no NIR look-up is spent here.
"""

from __future__ import annotations

import json
import os
import secrets
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, create_engine, select, update

from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason, HandoffState
from bot.db.models import Agent, AgentSession, Handoff, utcnow
from bot.rules.conversation_refs import ConversationRefs
from bot.settings import load_settings
from tests.e2e.conftest import Sesame
from tests.support.on_duty import agent_on_duty

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def members_db(sesame: Sesame) -> Iterator[Engine]:
    engine = create_engine(sesame.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def nobody_available(members_db: Engine) -> Iterator[None]:
    with session_scope(members_db) as session:
        session.execute(update(Agent).values(available=False))
    yield


@pytest.fixture
def agent_available(members_db: Engine) -> Iterator[None]:
    with session_scope(members_db) as session:
        if session.scalars(select(Agent).where(Agent.login == "e2e-relais")).first() is None:
            agent_on_duty(session, utcnow(), login="e2e-relais")
        agent = session.scalars(select(Agent).where(Agent.login == "e2e-relais")).one()
        agent.available = True
        # Their console is open (bot.agents.presence): a sign of life now, as its queue read writes.
        session.execute(
            update(AgentSession).where(AgentSession.agent_id == agent.id).values(console_seen_at=utcnow())
        )
    yield
    with session_scope(members_db) as session:  # the other tests meet nobody
        session.execute(update(Agent).values(available=False))


def conversation_id() -> str:
    return "e2e-relais-" + secrets.token_hex(8)


def texts(messages: list[dict[str, Any]]) -> str:
    return " ".join(m.get("text", "") for m in messages)


def cli_environment(sesame: Sesame) -> dict[str, str]:
    return {**os.environ, "DATABASE_URL": sesame.database_url, "PYTHONPATH": str(ROOT)}


def reference(sesame: Sesame, conversation_id: str) -> str:
    """How the command line names a conversation: its reference, under the settings it reads."""
    return ConversationRefs(load_settings(environ=cli_environment(sesame)).nir_hash_key).of(conversation_id)


def cli_list(sesame: Sesame) -> list[dict[str, Any]]:
    environment = cli_environment(sesame)
    done = subprocess.run(
        [sys.executable, "-m", "bot", "handoffs", "list", "--json"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    listed: list[dict[str, Any]] = json.loads(done.stdout)
    return listed


def handoff_of(members_db: Engine, cid: str) -> Handoff:
    with session_scope(members_db) as session:
        handoff = session.scalars(select(Handoff).where(Handoff.conversation_id == cid)).one()
        session.expunge(handoff)
        return handoff


def test_with_an_agent_available_the_member_waits_in_the_queue(
    sesame: Sesame, members_db: Engine, agent_available: None
) -> None:
    cid = conversation_id()
    sesame.chat(cid, "j'ai oublié mon code d'accès")
    sesame.chat(cid, "non merci")
    sesame.chat(cid, "mon code 482913 ne marche pas")
    answer = sesame.chat(cid, "je veux parler à un conseiller")
    assert "file d'attente des conseillers ACS (place n° 1)" in texts(answer)

    handoff = handoff_of(members_db, cid)
    assert (handoff.kind, handoff.state, handoff.reason) == (
        HandoffKind.LIVE,
        HandoffState.WAITING,
        HandoffReason.ASKED,
    )
    assert handoff.channel == "web"
    assert "Sujets abordés : J'ai oublié mon code d'accès" in handoff.summary
    assert "Numéro de Sécurité sociale vérifié : non." in handoff.summary
    said = [line["texte"] for line in handoff.transcript if line["qui"] == "adherent"]
    assert said[0] == "j'ai oublié mon code d'accès" and said[-1] == "je veux parler à un conseiller"
    assert "mon code [code masqué] ne marche pas" in said
    assert "482913" not in json.dumps(handoff.transcript)

    # Asking again does not queue twice: the web tier passes the message on to the agent.
    assert "vous êtes n° 1 dans la file" in texts(sesame.chat(cid, "un conseiller svp"))

    [listed] = [h for h in cli_list(sesame) if h["conversation"] == reference(sesame, cid)]
    assert (listed["kind"], listed["state"], listed["id"]) == ("live", "waiting", handoff.id)
    assert listed["summary"] == handoff.summary


def test_with_nobody_available_the_member_leaves_a_call_back(
    sesame: Sesame, members_db: Engine, nobody_available: None
) -> None:
    cid = conversation_id()
    offer = texts(sesame.chat(cid, "je veux parler à un conseiller"))
    assert (
        "Aucun conseiller ACS n'est disponible" in offer
        and "Voulez-vous qu'un conseiller ACS vous rappelle" in offer
    )
    assert "Quand préférez-vous" in texts(sesame.chat(cid, "/affirm"))
    assert "À quel numéro" in texts(sesame.chat(cid, "Le matin"))
    refused = texts(sesame.chat(cid, "06 12 34"))
    assert "Il manque des chiffres" in refused
    confirmed = texts(sesame.chat(cid, "c'est le 06 12 34 56 78"))
    assert "vous rappellera au 06 •• •• •• 78, de préférence le matin" in confirmed

    handoff = handoff_of(members_db, cid)
    assert (handoff.kind, handoff.state) == (HandoffKind.CALLBACK, HandoffState.WAITING)
    assert (handoff.callback_phone, handoff.callback_slot) == ("0612345678", "Le matin")
    assert "12 34" not in json.dumps(handoff.transcript, ensure_ascii=False)

    [listed] = [h for h in cli_list(sesame) if h["conversation"] == reference(sesame, cid)]
    assert (listed["kind"], listed["callback_phone"], listed["callback_slot"]) == (
        "callback",
        "0612345678",
        "Le matin",
    )

    # The conversation store keeps neither the number nor its pieces.
    with sqlite3.connect(sesame.tracker_db) as store:
        rows = store.execute("SELECT data FROM events WHERE sender_id = ?", (cid,)).fetchall()
    stored = " ".join(json.dumps(json.loads(row[0]), ensure_ascii=False) for row in rows)
    assert rows and "[téléphone masqué]" in stored
    for piece in ("0612345678", "12 34 56 78", "06 12 34"):
        assert piece not in stored


def test_the_member_may_decline_the_call_back(
    sesame: Sesame, members_db: Engine, nobody_available: None
) -> None:
    cid = conversation_id()
    sesame.chat(cid, "je veux parler à un conseiller")
    assert "pas de rappel" in texts(sesame.chat(cid, "/deny"))
    with session_scope(members_db) as session:
        assert session.scalars(select(Handoff).where(Handoff.conversation_id == cid)).first() is None


def test_a_moment_in_the_members_words_reaches_the_agents_queue(
    sesame: Sesame, members_db: Engine, nobody_available: None
) -> None:
    """« vers 17h » through the real model and form: kept as written, with its window (issue 21, item 5)."""
    cid = conversation_id()
    sesame.chat(cid, "je veux parler à un conseiller")
    assert "Quand préférez-vous" in texts(sesame.chat(cid, "/affirm"))
    assert "À quel numéro" in texts(sesame.chat(cid, "demain vers 17h"))
    confirmed = texts(sesame.chat(cid, "06 12 34 56 78"))
    assert "de préférence demain entre 16 h 30 et 17 h 30" in confirmed
    handoff = handoff_of(members_db, cid)
    assert handoff.callback_slot == "demain vers 17h"
    assert handoff.callback_from is not None and handoff.callback_until is not None
    [listed] = [h for h in cli_list(sesame) if h["conversation"] == reference(sesame, cid)]
    assert listed["callback_slot"] == "demain vers 17h" and listed["callback_from"]
