"""« Dossier de l'adhérent »: the NIR checked, the member shown, each request's state and the next step."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from sqlalchemy import Engine, select

from bot.agents.member_file import UNKNOWN_MEMBER, MemberFile, NirProblem, file_of, find_for_agent
from bot.db.engine import session_scope
from bot.db.enums import EmailStatus, ResetChannel
from bot.db.models import Member, ResetRequest
from bot.members.lookup import hash_nir
from bot.resets.requests import LimitReached, request_reset
from bot.rules.nir_windows import nir_window_hashes, taken_from_nir
from tests.agents.conftest import KEY, NOW, UNKNOWN_NIR, WITH_EMAIL, add_agent
from tests.support.nirs import spellings

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(hours=24)
# NOW is 9:00 UTC on 30 November: 10 h 00 in Paris.


def ask(
    engine: Engine,
    member_id: int,
    at: dt.datetime,
    channel: ResetChannel | None = None,
    agent: int | None = None,
) -> None:
    with session_scope(engine) as session:
        outcome = request_reset(
            session, session.get_one(Member, member_id), at, channel=channel, agent_id=agent
        )
        assert not isinstance(outcome, LimitReached)


def latest(engine: Engine, member_id: int, change: Callable[[ResetRequest], None]) -> None:
    """Apply ``change`` (a function of the request) to the member's newest request."""
    with session_scope(engine) as session:
        request = session.scalars(
            select(ResetRequest).where(ResetRequest.member_id == member_id).order_by(ResetRequest.id.desc())
        ).first()
        assert request is not None
        change(request)


def sent(at: dt.datetime, ttl: dt.timedelta = dt.timedelta(minutes=60)) -> Callable[[ResetRequest], None]:
    def change(request: ResetRequest) -> None:
        assert request.email is not None
        request.email.status, request.email.sent_at, request.email.attempts = EmailStatus.SENT, at, 1
        request.token_hash, request.token_expires_at = f"{request.id:064d}", at + ttl

    return change


def file(engine: Engine, member_id: int, at: dt.datetime = NOW, full_email: bool = False) -> MemberFile:
    with session_scope(engine) as session:
        return file_of(session, session.get_one(Member, member_id), full_email=full_email, now=at)


# --- finding the member --------------------------------------------------------------------


@pytest.mark.parametrize("typed", spellings(WITH_EMAIL))
def test_the_member_is_found_however_the_number_is_spelled(
    engine: Engine, members: dict[str, int], typed: str
) -> None:
    with session_scope(engine) as session:
        found = find_for_agent(session, typed, KEY)
        assert isinstance(found, Member) and found.id == members["email"]


def test_a_member_imported_before_the_nir_windows_gets_them_when_found(
    engine: Engine, members: dict[str, int]
) -> None:
    """So that "not a code taken from your NIR" also holds for members imported earlier."""
    with session_scope(engine) as session:
        assert session.get_one(Member, members["email"]).nir_window_hashes is None
        find_for_agent(session, spellings(WITH_EMAIL)[1], KEY)
    with session_scope(engine) as session:
        stored = session.get_one(Member, members["email"]).nir_window_hashes
    assert stored == nir_window_hashes(WITH_EMAIL, KEY)
    assert taken_from_nir(WITH_EMAIL[9:], stored, KEY)


def test_a_valid_number_of_nobody_says_so(engine: Engine, members: dict[str, int]) -> None:
    with session_scope(engine) as session:
        expected = NirProblem(UNKNOWN_MEMBER, "unknown_member", hash_nir(UNKNOWN_NIR, KEY))
        assert find_for_agent(session, UNKNOWN_NIR, KEY) == expected
    assert "aucun adhérent ACS n'a ce numéro" in UNKNOWN_MEMBER


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (WITH_EMAIL[:-1] + str((int(WITH_EMAIL[-1]) + 1) % 10), "bad_key"),
        (WITH_EMAIL[:10], "too_short"),
        ("", "empty"),
        (WITH_EMAIL[:13], "missing_key"),
    ],
)
def test_a_wrong_number_gets_the_chat_s_precise_reason(
    engine: Engine, members: dict[str, int], typed: str, code: str
) -> None:
    with session_scope(engine) as session:
        problem = find_for_agent(session, typed, KEY)
    assert isinstance(problem, NirProblem) and problem.code == code
    assert (
        problem.message.startswith("Numéro refusé : ") and len(problem.message) > len("Numéro refusé : ") + 10
    )
    assert WITH_EMAIL[:10] not in problem.message  # never the number itself


def test_a_number_is_looked_up_with_the_key_it_was_hashed_with(
    engine: Engine, members: dict[str, int]
) -> None:
    with session_scope(engine) as session:
        assert isinstance(find_for_agent(session, WITH_EMAIL, "une-autre-cle"), NirProblem)


# --- who the member is -------------------------------------------------------------------


def test_a_conseiller_sees_the_email_masked_and_a_superviseur_in_full(
    engine: Engine, members: dict[str, int]
) -> None:
    masked = file(engine, members["email"])
    assert (masked.name, masked.city, masked.email_shown, masked.email_is_full) == (
        "Jeanne Dupont",
        "Lyon",
        "j•••@e•••.fr",
        False,
    )
    full = file(engine, members["email"], full_email=True)
    assert (full.email_shown, full.email_is_full) == ("jeanne.dupont@exemple.fr", True)


def test_no_email_on_file_shows_none_even_to_a_superviseur(engine: Engine, members: dict[str, int]) -> None:
    shown = file(engine, members["courrier"], full_email=True)
    assert (shown.email_shown, shown.email_is_full) == (None, False)


# --- requests, limits and the next step ----------------------------------------------------


def test_no_request_yet_offers_the_channel_the_member_can_receive(
    engine: Engine, members: dict[str, int]
) -> None:
    by_email = file(engine, members["email"])
    assert (by_email.requests, by_email.remaining_today, by_email.next_request_possible_at) == ((), 3, None)
    assert by_email.suggestion == (
        "Aucune demande de nouveau code : proposez un nouveau code par e-mail (adresse connue)."
    )
    assert file(engine, members["courrier"]).suggestion == (
        "Aucune demande de nouveau code : proposez un nouveau code par courrier (pas d'e-mail connu), "
        "qui arrive sous huitaine."
    )


def test_a_queued_email_by_an_agent(engine: Engine, members: dict[str, int]) -> None:
    agent = add_agent(engine, "claire")
    ask(engine, members["email"], NOW, agent=agent)
    shown = file(engine, members["email"], NOW + 2 * MINUTE)
    [line] = shown.requests
    assert (line.channel, line.by_agent, line.requested, line.state, line.state_code) == (
        ResetChannel.EMAIL,
        "claire",
        "aujourd'hui à 10 h 00",
        "e-mail en file d'envoi",
        "email_pending",
    )
    assert shown.remaining_today == 2
    assert shown.suggestion == (
        "L'e-mail demandé aujourd'hui à 10 h 00 est en file d'envoi : il part dans quelques minutes."
    )


def test_a_sent_email_with_its_live_link(engine: Engine, members: dict[str, int]) -> None:
    ask(engine, members["email"], NOW)
    latest(engine, members["email"], sent(NOW + MINUTE))
    shown = file(engine, members["email"], NOW + 4 * MINUTE)
    [line] = shown.requests
    assert line.by_agent is None  # the member asked in the chat
    assert line.state_code == "email_sent"
    assert line.state == "e-mail envoyé aujourd'hui à 10 h 01 ; lien valable jusqu'à 11 h 01"
    assert shown.suggestion == (
        "Un e-mail est parti il y a 3 min : faites vérifier les courriers indésirables (spams) ; "
        "seul le lien de l'e-mail le plus récent fonctionne."
    )


def test_a_failed_email(engine: Engine, members: dict[str, int]) -> None:
    ask(engine, members["email"], NOW)

    def failed(request: ResetRequest) -> None:
        assert request.email is not None
        request.email.status, request.email.attempts = EmailStatus.FAILED, 10

    latest(engine, members["email"], failed)
    shown = file(engine, members["email"], NOW + 30 * MINUTE)
    assert (shown.requests[0].state_code, shown.requests[0].state) == (
        "email_failed",
        "échec de l'envoi de l'e-mail (10 tentative(s))",
    )
    assert shown.suggestion.startswith("L'e-mail n'a pas pu être envoyé : vérifiez l'adresse avec l'adhérent")


def test_a_used_link(engine: Engine, members: dict[str, int]) -> None:
    ask(engine, members["email"], NOW)
    latest(engine, members["email"], sent(NOW + MINUTE))

    def used(request: ResetRequest) -> None:
        request.token_used_at = NOW + 5 * MINUTE

    latest(engine, members["email"], used)
    shown = file(engine, members["email"], NOW + 10 * MINUTE)
    assert (shown.requests[0].state_code, shown.requests[0].state) == (
        "link_used",
        "e-mail envoyé aujourd'hui à 10 h 01 ; lien utilisé aujourd'hui à 10 h 05",
    )
    assert shown.suggestion.startswith("Le lien a déjà servi : l'adhérent a choisi son code personnalisé")


def test_an_expired_link(engine: Engine, members: dict[str, int]) -> None:
    ask(engine, members["email"], NOW)
    latest(engine, members["email"], sent(NOW + MINUTE))
    shown = file(engine, members["email"], NOW + 2 * dt.timedelta(hours=1))
    assert (shown.requests[0].state_code, shown.requests[0].state) == (
        "link_expired",
        "e-mail envoyé aujourd'hui à 10 h 01 ; lien expiré ou remplacé",
    )
    assert shown.suggestion == (
        "Le lien de réinitialisation a expiré (ou a été remplacé) : proposez un nouveau code par e-mail "
        "(adresse connue)."
    )


def test_a_letter_requested_then_printed(engine: Engine, members: dict[str, int]) -> None:
    ask(engine, members["courrier"], NOW)
    shown = file(engine, members["courrier"], NOW + MINUTE)
    [line] = shown.requests
    assert (line.channel, line.state_code, line.expected_by) == (
        ResetChannel.LETTER,
        "letter_requested",
        dt.date(2026, 12, 8),
    )
    assert line.state == "courrier demandé, pas encore imprimé ; arrivée au plus tard le 8 décembre"
    assert shown.suggestion == (
        "Un courrier est en route depuis aujourd'hui à 10 h 00 : il arrive au plus tard le 8 décembre. "
        "Inutile d'en demander un autre."
    )

    def printed(request: ResetRequest) -> None:
        assert request.letter is not None
        request.letter.exported_at = NOW + dt.timedelta(hours=8)

    latest(engine, members["courrier"], printed)
    line = file(engine, members["courrier"], NOW + DAY).requests[0]
    assert (line.state_code, line.state) == (
        "letter_exported",
        "courrier imprimé hier à 18 h 00 ; arrivée au plus tard le 8 décembre",
    )


def test_a_letter_past_its_date_suggests_checking_the_address(
    engine: Engine, members: dict[str, int]
) -> None:
    ask(engine, members["courrier"], NOW)
    shown = file(engine, members["courrier"], NOW + dt.timedelta(days=9))
    assert shown.suggestion == (
        "Le courrier aurait dû arriver : vérifiez l'adresse postale, puis proposez un nouveau code par "
        "courrier (pas d'e-mail connu), qui arrive sous huitaine."
    )


def test_a_letter_chosen_by_an_agent_for_a_member_with_an_email(
    engine: Engine, members: dict[str, int]
) -> None:
    agent = add_agent(engine, "claire")
    ask(engine, members["email"], NOW, ResetChannel.LETTER, agent)
    [line] = file(engine, members["email"], NOW + MINUTE).requests
    assert (line.channel, line.by_agent, line.state_code) == (
        ResetChannel.LETTER,
        "claire",
        "letter_requested",
    )


def used_at_once(request: ResetRequest) -> None:
    assert request.email is not None
    request.email.status, request.email.sent_at = EmailStatus.SENT, request.created_at
    request.token_used_at = request.created_at + MINUTE


def test_the_24_hour_limit_says_how_many_remain_and_when_the_next_is_possible(
    engine: Engine, members: dict[str, int]
) -> None:
    member = members["email"]
    for hours, remaining in ((0, 2), (2, 1), (5, 0)):
        ask(engine, member, NOW + dt.timedelta(hours=hours))
        latest(engine, member, used_at_once)
        assert file(engine, member, NOW + dt.timedelta(hours=hours, minutes=5)).remaining_today == remaining
    shown = file(engine, member, NOW + dt.timedelta(hours=6))
    assert (shown.remaining_today, shown.next_request_possible_at) == (0, NOW + DAY)
    assert [line.requested for line in shown.requests] == [  # newest first
        "aujourd'hui à 15 h 00",
        "aujourd'hui à 12 h 00",
        "aujourd'hui à 10 h 00",
    ]
    assert shown.suggestion.endswith(
        " La limite de 3 demandes en 24 h est atteinte : nouvelle demande possible demain à 10 h 00."
    )
    assert shown.suggestion.startswith("Le lien a déjà servi")
    # The time the file gives is the time the request limit frees a request.
    with session_scope(engine) as session:
        refused = request_reset(session, session.get_one(Member, member), NOW + DAY - MINUTE)
        assert isinstance(refused, LimitReached) and refused.retry_after == shown.next_request_possible_at
    later = file(engine, member, NOW + DAY)
    assert (later.remaining_today, later.next_request_possible_at) == (1, None)
    assert "La limite" not in later.suggestion
