"""Issue #10 end to end: a NIR given before the bot asked, and an offer that stays an offer.

Through the real processes (``conftest.sesame``), with the conversation store that
masks secrets: the number survives from one turn to the next only as the member's
keyed hash, so these tests are the proof that "oui" after the question still finds
the member. The last test scans the store and the logs for the numbers used here.
"""

from __future__ import annotations

import sqlite3
import uuid

from tests.e2e.conftest import Sesame
from tests.e2e.test_reset_by_chat import (
    ASK_NIR,
    CAMILLE_MASKED,
    FOUND_LETTER,
    LETTER_QUEUED,
    OFFER,
    _assert_no_echo,
    _leaks,
    _start_reset,
    _texts,
)

CAMILLE = "2 91 09 75 006 373 88"
LEA = "2 76 05 59 087 239 59"
FOUND_EMAIL_START = "J'ai bien trouvé votre dossier. Je vais envoyer un e-mail de réinitialisation"
ASK_WITH_NUMBER = "Voulez-vous que je lance une demande de nouveau code d'accès avec ce numéro ?"
LETTER_ANSWER = "sous huitaine (8 jours), un courrier papier précisant votre code d'accès"


def _conversation() -> str:
    return f"e2e-flow-{uuid.uuid4().hex}"


def test_a_nir_with_the_wish_goes_straight_to_the_confirmation(sesame: Sesame) -> None:
    sender = _conversation()
    answer = _texts(sesame, sender, f"voici mon numéro {CAMILLE}, je voudrais un nouveau code")
    assert FOUND_EMAIL_START in answer and CAMILLE_MASKED in answer
    _assert_no_echo(answer, CAMILLE)


def test_a_lone_nir_gets_the_question_and_yes_uses_it(sesame: Sesame) -> None:
    sender = _conversation()
    asked = _texts(sesame, sender, LEA)
    assert ASK_WITH_NUMBER in asked
    _assert_no_echo(asked, LEA)
    found = _texts(sesame, sender, "oui")  # the number itself is gone from the store by now
    assert FOUND_LETTER in found
    sent = _texts(sesame, sender, "oui")
    # Queued now, or already on its way when test_reset_by_chat asked first (same database).
    assert LETTER_QUEUED in sent or "est déjà en route vers votre adresse postale" in sent


def test_the_offer_stops_on_thanks_and_comes_back_only_if_asked(sesame: Sesame) -> None:
    sender = _conversation()
    assert OFFER in _texts(sesame, sender, "j'ai oublié mon code")
    thanks = _texts(sesame, sender, "merci, au revoir")
    assert "Je lance la demande ?" not in thanks
    other = _texts(sesame, sender, "c'est quoi l'adresse du site ?")
    assert "Je lance la demande ?" not in other


def test_no_email_address_gets_the_letter_answer_then_the_offer(sesame: Sesame) -> None:
    answer = _texts(sesame, _conversation(), "j'ai perdu mon code et je n'ai pas d'adresse mail")
    assert LETTER_ANSWER in answer
    assert OFFER in answer


KEPT_IN_DIAGNOSTIC = "je peux faire la demande avec ce numéro, sans vous le redemander"


def test_the_number_asked_for_is_read_in_a_sentence_with_the_wish(sesame: Sesame) -> None:
    sender = _conversation()
    _start_reset(sesame, sender)
    answer = _texts(sesame, sender, f"{CAMILLE} je veux un nouveau code svp")
    assert FOUND_EMAIL_START in answer and CAMILLE_MASKED in answer
    assert ASK_NIR not in answer
    _assert_no_echo(answer, CAMILLE)


def test_a_nir_with_no_email_address_goes_straight_to_the_confirmation(sesame: Sesame) -> None:
    answer = _texts(sesame, _conversation(), f"je n'ai pas d'adresse mail, mon numéro {LEA}")
    assert FOUND_LETTER in answer
    assert ASK_WITH_NUMBER not in answer and ASK_NIR not in answer
    _assert_no_echo(answer, LEA)


def test_a_nir_typed_during_the_diagnostic_is_not_asked_again(sesame: Sesame) -> None:
    sender = _conversation()
    assert "Que se passe-t-il exactement ?" in _texts(sesame, sender, "je n'arrive pas à me connecter")
    kept = _texts(sesame, sender, CAMILLE)
    assert KEPT_IN_DIAGNOSTIC in kept and "Recevoir un nouveau code" in kept
    _assert_no_echo(kept, CAMILLE)
    confirm = _texts(sesame, sender, "/forgot_access_code")  # the button
    assert FOUND_EMAIL_START in confirm and CAMILLE_MASKED in confirm
    assert ASK_NIR not in confirm and OFFER not in confirm
    _assert_no_echo(confirm, CAMILLE)


def test_the_numbers_given_unasked_are_stored_nowhere(sesame: Sesame) -> None:
    with sqlite3.connect(f"file:{sesame.tracker_db}?mode=ro", uri=True) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [row for table in tables for row in db.execute(f'SELECT * FROM "{table}"')]  # noqa: S608 - names from sqlite_master
    for row in rows:
        for cell in row:
            text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
            assert not _leaks(text), f"{_leaks(text)} stored in the tracker: {text[:300]}"
    for log in sorted(sesame.running.log_dir.glob("*.log")):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            assert not _leaks(line), f"{log.name} holds {_leaks(line)}"
