"""``bot.resets.wording``: one table tells each outcome to the member and to the agent."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.db.enums import ResetChannel
from bot.resets.requests import (
    AlreadyOnItsWay,
    EmailQueued,
    LetterQueued,
    LimitReached,
    LimitScope,
    ResetOutcome,
)
from bot.resets.wording import WORDING, OutcomeKind, agent_words, kind_of, member_words

NOW = dt.datetime(2024, 12, 5, 9, 0, tzinfo=dt.timezone.utc)
EARLIER = NOW - dt.timedelta(minutes=5)
LATER = NOW + dt.timedelta(hours=1)
DAY = dt.date(2024, 12, 13)
MASKED = "j***@e***.fr"
EMAIL, LETTER = ResetChannel.EMAIL, ResetChannel.LETTER

OUTCOMES: list[tuple[ResetOutcome, OutcomeKind]] = [
    (EmailQueued(MASKED), OutcomeKind.EMAIL_QUEUED),
    (LetterQueued(DAY), OutcomeKind.LETTER_QUEUED),
    (AlreadyOnItsWay(EMAIL, EARLIER, MASKED, None, email_sent=True), OutcomeKind.EMAIL_ON_ITS_WAY),
    (AlreadyOnItsWay(LETTER, EARLIER, None, DAY, email_sent=False), OutcomeKind.LETTER_ON_ITS_WAY),
    (LimitReached(LimitScope.MEMBER, LATER), OutcomeKind.MEMBER_LIMIT),
    (LimitReached(LimitScope.CLIENT, LATER), OutcomeKind.CLIENT_LIMIT),
    (LimitReached(LimitScope.EVERYONE, LATER), OutcomeKind.EVERYONE_LIMIT),
]


def test_every_kind_of_outcome_is_worded_for_both_audiences() -> None:
    assert set(WORDING) == set(OutcomeKind)
    assert {kind for _, kind in OUTCOMES} == set(OutcomeKind)


@pytest.mark.parametrize(("outcome", "kind"), OUTCOMES)
def test_the_member_gets_exactly_the_values_of_the_response(outcome: ResetOutcome, kind: OutcomeKind) -> None:
    assert kind_of(outcome) is kind
    response, values = member_words(outcome, 60, NOW)
    assert response == WORDING[kind].member_response
    assert tuple(values) == WORDING[kind].member_values
    assert all(values.values())


@pytest.mark.parametrize(
    ("outcome", "expected"),
    [
        (
            EmailQueued(MASKED),
            ("email_en_file", f"E-mail de réinitialisation mis en file d'envoi vers {MASKED}."),
        ),
        (
            LetterQueued(DAY),
            ("courrier_demande", "Courrier demandé : il arrivera au plus tard le 13 décembre."),
        ),
        (
            AlreadyOnItsWay(LETTER, EARLIER, None, None, email_sent=False),
            (
                "deja_en_route",
                "Rien de nouveau envoyé : un courrier demandé aujourd'hui à 9 h 55 est en route.",
            ),
        ),
    ],
)
def test_the_agent_reads_a_sentence_about_the_member(
    outcome: ResetOutcome, expected: tuple[str, str]
) -> None:
    assert agent_words(outcome, NOW) == expected


def test_a_letter_on_its_way_tells_the_agent_when_it_is_due() -> None:
    code, text = agent_words(AlreadyOnItsWay(LETTER, EARLIER, None, DAY, email_sent=False), NOW)
    assert code == "deja_en_route"
    assert text.endswith(", attendu au plus tard le 13 décembre.")


def test_an_unknown_outcome_is_a_programming_error() -> None:
    with pytest.raises(TypeError):
        kind_of("email")  # type: ignore[arg-type]
