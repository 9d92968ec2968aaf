"""What a member or an agent types in a hand-off is stored masked, in every spelling of issue 20.

Read back from the database (SQLite and PostgreSQL, as in production), not from the
objects written: the test is about what the tables hold.
"""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from bot.db.engine import session_scope
from bot.db.enums import HandoffKind, HandoffReason
from bot.db.models import Handoff, HandoffMessage, ReviewFlag
from bot.handoffs.queue import member_says, open_handoff
from bot.rules.conversation_refs import ConversationRefs
from bot.shared.normal_form import normalized
from bot.shared.patterns import CODE_MASK, NIR_MASK
from bot.workbench.flags import flag_conversation
from tests.support.nirs import with_key

REFS = ConversationRefs("clé-de-test")
NOW = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.timezone.utc)
NIR = with_key("2910975006373")  # generated, valid by its key
GROUPS = [NIR[0], NIR[1:3], NIR[3:5], NIR[5:7], NIR[7:10], NIR[10:13], NIR[13:]]
SUPERSCRIPT = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")
# The spellings issue 20 found stored in clear.
NIR_SPELLINGS = [
    "|".join(GROUPS),
    "*".join(GROUPS),
    "+".join(GROUPS),
    "".join(f"({group})" for group in GROUPS),
    NIR.translate(SUPERSCRIPT),
    "\u2063".join(GROUPS),
    "\u034f".join(GROUPS),
]
CODE_SPELLINGS = [
    "4 8 2    9 1 3",
    "48|29|13",
    "⁴⁸²⁹¹³",
    "4\u20638\u20632\u20639\u20631\u20633",
    "48\u034f29\u034f13",
]


def no_digits(text: str) -> bool:
    return not any(ch.isdigit() for ch in normalized(text))


def new_handoff(engine: Engine, transcript: list[dict[str, str]]) -> int:
    with session_scope(engine) as session:
        handoff = open_handoff(
            session,
            conversation_id="conv-20",
            channel="web",
            kind=HandoffKind.LIVE,
            reason=HandoffReason.ASKED,
            summary="Motif : test",
            transcript=transcript,
            now=NOW,
        )
        return handoff.id


@pytest.mark.parametrize("written", NIR_SPELLINGS + CODE_SPELLINGS)
def test_member_messages_are_stored_masked(engine: Engine, written: str) -> None:
    handoff_id = new_handoff(engine, [])
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        member_says(session, handoff, f"voici {written} merci", now=NOW)
    with session_scope(engine) as session:
        stored = session.scalars(select(HandoffMessage.text)).one()
    mask = CODE_MASK if written in CODE_SPELLINGS else NIR_MASK
    assert mask in stored and no_digits(stored), stored
    assert stored.startswith("voici ") and stored.endswith(" merci")


def test_transcripts_are_stored_masked(engine: Engine) -> None:
    lines = [{"qui": "adherent", "texte": f"c'est {written}"} for written in NIR_SPELLINGS + CODE_SPELLINGS]
    handoff_id = new_handoff(engine, lines)
    with session_scope(engine) as session:
        handoff = session.get(Handoff, handoff_id)
        assert handoff is not None
        stored = [line["texte"] for line in handoff.transcript]
    assert len(stored) == len(lines)
    assert all(no_digits(text) and ("masqué]" in text) for text in stored), stored


@pytest.mark.parametrize("written", [NIR_SPELLINGS[0], NIR_SPELLINGS[5], CODE_SPELLINGS[1]])
def test_console_notes_are_stored_masked(engine: Engine, written: str) -> None:
    with session_scope(engine) as session:
        flag_conversation(
            session,
            "conv-20",
            "agent1",
            f"l'adhérent a écrit {written}",
            now=NOW,
            refs=ConversationRefs("clé"),
        )
    with session_scope(engine) as session:
        note = session.scalars(select(ReviewFlag.note)).one()
    assert "masqué]" in note and no_digits(note), note
