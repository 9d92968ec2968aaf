"""A new access code asked in the chat, end to end through the real processes: ``make e2e-test``.

Unit tests check each part alone; only here do the NLU, the forms, the action server,
the member database, the outbox, the mail worker, the SMTP sink and the reset page
meet, as a member meets them. The member's side is Rasa's REST channel (what the web
chat forwards to); assertions are on the French texts the member reads (``domain.yml``
and ``bot/rules``). The last tests open the conversation store and the logs of the
whole run: no NIR and no access code may be there, in any spelling.

The tests run in file order and share one running Sésame (``conftest.sesame``); the
scans come last so that they see every conversation above.
"""

from __future__ import annotations

import email
import email.policy
import html
import re
import sqlite3
import time
import uuid
from pathlib import Path

import httpx
import pytest

from tests.e2e.conftest import Sesame
from tests.support.nirs import with_key

CAMILLE = "2 91 09 75 006 373 88"  # demo member with an email address
LEA = "2 76 05 59 087 239 59"  # demo member without one: a letter
CAMILLE_WRONG_KEY = "2 91 09 75 006 373 89"
UNKNOWN = " ".join(["1", "88", "02", "69", "381", "077", with_key("1880269381077")[-2:]])
UNKNOWN_TOO = " ".join(["2", "64", "11", "33", "512", "204", with_key("2641133512204")[-2:]])
NIRS = (CAMILLE, LEA, CAMILLE_WRONG_KEY, UNKNOWN, UNKNOWN_TOO)
NEW_CODE = "482913"  # typed on the reset page, and (by mistake) in the chat
CAMILLE_MASKED = "c•••@a•••.example"
MAIL_SECONDS = 45  # the mail worker passes every 5 s; the machine may be busy

FORGOT = "j'ai oublié mon code"
OFFER = "Je peux faire cette demande pour vous tout de suite"
ASK_NIR = "Quel est votre numéro de Sécurité sociale ?"
FOUND_EMAIL = (
    f"J'ai bien trouvé votre dossier. Je vais envoyer un e-mail de réinitialisation à l'adresse "
    f"{CAMILLE_MASKED}. Je confirme l'envoi ?"
)
EMAIL_QUEUED = f"C'est fait : un e-mail de réinitialisation part vers {CAMILLE_MASKED}."
FOUND_LETTER = "J'ai bien trouvé votre dossier. ACS n'a pas d'adresse e-mail pour vous"
LETTER_QUEUED = "C'est noté : un courrier précisant votre code d'accès part à votre adresse postale."
UNKNOWN_MEMBER = "Je ne trouve aucun adhérent ACS avec ce numéro."
EXHAUSTED = "Pour votre sécurité, je ne peux pas vérifier d'autre numéro dans cette conversation."
BAD_KEY = (
    "La clé (les 2 derniers chiffres) ne correspond pas au reste du numéro : un chiffre a "
    "sans doute été mal tapé. Pouvez-vous vérifier votre numéro sur votre carte Vitale "
    "et le saisir à nouveau ?"
)
NEVER_SHARE = "Attention : ne communiquez jamais votre code d'accès"


def _digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def _conversation() -> str:
    return f"e2e-{uuid.uuid4().hex}"


def _texts(sesame: Sesame, sender: str, message: str) -> str:
    """Everything the bot answers to one message, as one text (button titles included)."""
    parts: list[str] = []
    for reply in sesame.send(sender, message):
        parts.append(str(reply.get("text", "")))
        parts.extend(str(button.get("title", "")) for button in reply.get("buttons", []))
    return "\n".join(parts)


def _start_reset(sesame: Sesame, sender: str) -> None:
    """ "j'ai oublié mon code" → the bot offers to ask for one → "oui" → it asks for the number."""
    assert OFFER in _texts(sesame, sender, FORGOT)
    assert ASK_NIR in _texts(sesame, sender, "oui")


def _assert_no_echo(text: str, nir: str) -> None:
    assert nir not in text
    assert _digits(nir) not in _digits(text)


def _wait_for_mail(directory: Path) -> Path:
    deadline = time.monotonic() + MAIL_SECONDS
    while time.monotonic() < deadline:
        found = sorted(directory.glob("*.eml"))
        if found:
            return found[0]
        time.sleep(0.5)
    pytest.fail(f"no email in {directory} after {MAIL_SECONDS} s")


def _body_text(path: Path) -> tuple[str, str]:
    """(recipient, plain-text body) of a message the sink kept."""
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    body = message.get_body(preferencelist=("plain", "html"))
    assert body is not None
    return str(message["To"]), str(body.get_content())


def _shown(page: httpx.Response) -> str:
    """The page's text as a member reads it: entities decoded, French no-break spaces as spaces."""
    return re.sub(r"[\u00a0\u202f]", " ", html.unescape(page.text))


def _csrf_field(page: str) -> str:
    """The form's hidden CSRF value, whatever the attribute order."""
    for tag in re.findall(r"<input\b[^>]*>", page):
        if re.search(r'\bname="csrf"', tag) and re.search(r'\btype="hidden"', tag):
            value = re.search(r'\bvalue="([^"]*)"', tag)
            assert value is not None
            return html.unescape(value.group(1))
    pytest.fail("no hidden csrf field in the reset form")


def test_forgotten_code_by_email_then_the_reset_page(sesame: Sesame) -> None:
    sender = _conversation()
    _start_reset(sesame, sender)
    found = _texts(sesame, sender, CAMILLE)
    assert FOUND_EMAIL in found
    _assert_no_echo(found, CAMILLE)
    queued = _texts(sesame, sender, "oui")
    assert EMAIL_QUEUED in queued
    assert "camille.moreau" not in queued  # the address is only ever shown masked

    recipient, body = _body_text(_wait_for_mail(sesame.mail_dir))
    assert "camille.moreau@adherents.example" in recipient
    links = re.findall(rf"http://127\.0\.0\.1:{sesame.web_port}/reinitialiser/[A-Za-z0-9_\-]+", body)
    assert links, body
    link = links[0]

    with httpx.Client(timeout=30, trust_env=False) as browser:
        form = browser.get(link)
        assert form.status_code == 200
        assert "Créez votre code d'accès personnalisé" in _shown(form)

        refused = browser.post(
            link, data={"csrf": _csrf_field(form.text), "code": "12345", "confirmation": "12345"}
        )
        assert 400 <= refused.status_code < 500
        assert "Vous avez saisi 5 chiffres : votre code d'accès doit en compter exactement 6." in _shown(
            refused
        )
        assert 'value="12345"' not in refused.text  # the form comes back empty

        accepted = browser.post(
            link, data={"csrf": _csrf_field(refused.text), "code": NEW_CODE, "confirmation": NEW_CODE}
        )
        assert accepted.status_code == 200
        assert "Votre code d'accès personnalisé est enregistré." in _shown(accepted)

        again = browser.get(link)
        assert "Ce lien a déjà été utilisé" in _shown(again)


def test_member_without_email_gets_a_letter(sesame: Sesame) -> None:
    sender = _conversation()
    _start_reset(sesame, sender)
    found = _texts(sesame, sender, LEA)
    assert FOUND_LETTER in found
    _assert_no_echo(found, LEA)
    assert LETTER_QUEUED in _texts(sesame, sender, "oui")


def test_wrong_key_gets_a_precise_message_without_the_number(sesame: Sesame) -> None:
    sender = _conversation()
    _start_reset(sesame, sender)
    answer = _texts(sesame, sender, CAMILLE_WRONG_KEY)
    assert BAD_KEY in answer
    _assert_no_echo(answer, CAMILLE_WRONG_KEY)
    assert "89" not in answer  # not even the key


def test_unknown_member(sesame: Sesame) -> None:
    sender = _conversation()
    _start_reset(sesame, sender)
    answer = _texts(sesame, sender, UNKNOWN)
    assert UNKNOWN_MEMBER in answer
    _assert_no_echo(answer, UNKNOWN)


def test_three_refused_numbers_stop_the_search(sesame: Sesame) -> None:
    sender = _conversation()
    _start_reset(sesame, sender)
    first = _texts(sesame, sender, CAMILLE_WRONG_KEY)
    assert BAD_KEY in first
    second = _texts(sesame, sender, UNKNOWN)
    assert UNKNOWN_MEMBER in second
    third = _texts(sesame, sender, UNKNOWN_TOO)
    assert EXHAUSTED in third
    assert ASK_NIR not in third
    # Even a member's right number is no longer looked up in this conversation.
    fourth = _texts(sesame, sender, CAMILLE)
    assert "J'ai bien trouvé votre dossier" not in fourth
    assert ASK_NIR not in fourth


def test_an_access_code_typed_in_the_chat_gets_a_warning(sesame: Sesame) -> None:
    answer = _texts(sesame, _conversation(), f"mon code c'est {NEW_CODE} ca marche pas")
    assert NEVER_SHARE in answer
    assert NEW_CODE not in answer


# --- what stays behind: after every conversation above ----------------------------------


def _leaks(text: str) -> list[str]:
    """Which secrets of this run ``text`` holds, in any spelling."""
    found = [nir for nir in NIRS if nir in text or nir.replace(" ", "") in text]
    digits = _digits(text)
    found += [f"{nir} (digits)" for nir in NIRS if _digits(nir) in digits]
    if re.search(rf"(?<!\d){NEW_CODE}(?!\d)", text):
        found.append(NEW_CODE)
    return found


def test_the_conversation_store_keeps_no_number_and_no_code(sesame: Sesame) -> None:
    with sqlite3.connect(f"file:{sesame.tracker_db}?mode=ro", uri=True) as db:
        tables = [row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        rows = [row for table in tables for row in db.execute(f'SELECT * FROM "{table}"')]  # noqa: S608 - names from sqlite_master
    assert len(rows) > 20  # every conversation above is there
    senders_seen = 0
    for row in rows:
        for cell in row:
            text = cell.decode("utf-8", "replace") if isinstance(cell, bytes) else str(cell)
            # Digits-only comparison per cell: a timestamp can not hold a whole NIR.
            assert not _leaks(text), f"{_leaks(text)} stored in the tracker: {text[:300]}"
            senders_seen += text.startswith("e2e-")
    assert senders_seen


def test_the_logs_of_the_run_hold_no_number(sesame: Sesame) -> None:
    logs = [*sorted(sesame.running.log_dir.glob("*.log")), sesame.running.output]
    assert {"rasa.log", "actions.log", "web.log", "mail-worker.log", "smtp-sink.log"} <= {
        log.name for log in logs
    }
    for log in logs:
        for number, line in enumerate(log.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            assert not _leaks(line), f"{log.name}:{number} holds {_leaks(line)}"
