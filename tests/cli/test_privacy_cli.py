"""``./sesame privacy purge|export|erase`` through the real command line, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import getpass
import io
import json
import stat
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select

from bot.agents import audit
from bot.cli.main import main
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, HandoffState
from bot.db.models import AnswerFeedback, AuditEvent, Handoff, Member, NirLookup, ResetRequest
from bot.members.lookup import hash_nir
from bot.rules.nir import mask_nir
from bot.workbench.tracker import EVENTS, METADATA, create_tracker_table
from tests.privacy.conftest import (
    KEY,
    add_audit_event,
    add_events,
    add_handoff,
    add_lookup,
    add_member,
    add_reset,
)
from tests.support.nirs import with_key

ZOE = with_key("2850675123456")
MARC = with_key("1790213098765")
OPERATOR = f"cli:{getpass.getuser()}"


@pytest.fixture
def cli_db(db_url: str, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """The commands' settings point at the test database: member DB and conversation store (``events``)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("TRACKER_STORE_URL", db_url)
    monkeypatch.setenv("NIR_HASH_KEY", KEY)
    create_tracker_table(engine)
    yield engine
    METADATA.drop_all(engine)


def two_members(engine: Engine) -> None:
    """Zoé and Marc, each with a reset, a look-up, a closed hand-off and its conversation."""
    for nir, name, conversation in ((ZOE, "Zoé", "conv-zoe"), (MARC, "Marc", "conv-marc")):
        email = conversation.removeprefix("conv-") + "@example.org"
        member = add_member(engine, nir, first_name=name, email=email)
        add_reset(engine, member, 3)
        add_lookup(engine, 3, hash_nir(nir, KEY))
        add_handoff(
            engine, 3, member_ref=hash_nir(nir, KEY), conversation_id=conversation, phone="0612345678"
        )
        add_events(engine, conversation, 3, text=f"je suis {name}")
        add_audit_event(engine, 3, member)
        with session_scope(engine) as session:  # « Cette réponse vous a aidé ? » « Non »
            session.add(AnswerFeedback(conversation_id=conversation, event_id=1, helpful=False))


def run(capsys: pytest.CaptureFixture[str], *argv: str, stdin: str = "") -> tuple[int, str, str]:
    sys.stdin = io.StringIO(stdin)
    try:
        code = main(list(argv))
    finally:
        sys.stdin = sys.__stdin__
    out, err = capsys.readouterr()
    return code, out, err


def privacy_lines(engine: Engine, action: AgentAction) -> list[tuple[str, str | None, dict[str, object]]]:
    with session_scope(engine) as session:
        return [(e.actor, e.nir_hash, dict(e.detail)) for e in audit.entries(session) if e.action == action]


def test_export_gives_the_members_data_in_french_and_nobody_elses(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    two_members(cli_db)
    code, out, err = run(capsys, "privacy", "export", " ".join([ZOE[:1], ZOE[1:3], ZOE[3:]]))
    assert code == 0, err
    data = json.loads(out)
    assert data["adherent"]["prenom"] == "Zoé"
    assert data["adherent"]["email"] == "zoe@example.org"
    assert [r["email_adresse"] for r in data["demandes_de_nouveau_code"]] == ["zoe@example.org"]
    assert len(data["recherches_par_numero_de_securite_sociale"]) == 1
    [handoff] = data["prises_en_charge_par_un_conseiller"]
    assert handoff["rappel_telephone"] == "0612345678"
    assert handoff["messages"][0]["texte"] == "toujours là ?"
    assert data["conversations_avec_sesame"][0]["messages"][0]["texte"] == "je suis Zoé"
    [feedback] = data["avis_sur_les_reponses"]
    assert feedback["conversation"] == "conv-zoe" and feedback["reponse_utile"] is False
    assert len(data["journal_des_evenements"]) == 1
    assert "Marc" not in out and "marc" not in out
    assert ZOE not in out + err
    assert privacy_lines(cli_db, AgentAction.PRIVACY_EXPORT) == [
        (OPERATOR, hash_nir(ZOE, KEY), {"format": "json", "adherent_connu": True})
    ]


def test_export_as_csv_cannot_run_a_formula_in_a_spreadsheet(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    add_member(cli_db, ZOE, first_name='=HYPERLINK("http://evil.example")')
    code, out, _ = run(capsys, "privacy", "export", ZOE, "--format", "csv")
    assert code == 0
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert rows[0] == ["rubrique", "numero", "champ", "valeur"]
    assert ["adherent", "1", "prenom", '\'=HYPERLINK("http://evil.example")'] in rows
    assert all(not cell.startswith(("=", "+", "-", "@")) for row in rows for cell in row)


def test_export_to_a_file_readable_by_its_owner_only_and_never_over_another(
    cli_db: Engine, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    two_members(cli_db)
    target = tmp_path / "zoe.json"
    code, out, err = run(capsys, "privacy", "export", "-", "--output", str(target), stdin=ZOE + "\n")
    assert code == 0 and out == ""
    assert mask_nir(ZOE) in err and ZOE not in err
    assert json.loads(target.read_text(encoding="utf-8"))["adherent"]["prenom"] == "Zoé"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    code, _, err = run(capsys, "privacy", "export", ZOE, "--output", str(target))
    assert code == 1 and "existe déjà" in err


def test_a_wrong_nir_is_refused_in_french_and_not_echoed(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    wrong = ZOE[:-2] + f"{(int(ZOE[-2:]) % 97) + 1:02d}"
    code, out, err = run(capsys, "privacy", "erase", wrong, "--yes")
    assert code == 2
    assert "Numéro refusé" in err and "clé" in err
    assert wrong not in out + err
    assert privacy_lines(cli_db, AgentAction.PRIVACY_ERASE) == []


def count(engine: Engine, model: type) -> int:
    with engine.connect() as connection:
        return int(connection.scalar(select(func.count()).select_from(model)) or 0)


def test_erase_asks_for_confirmation_and_changes_nothing_without_it(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    two_members(cli_db)
    code, out, err = run(capsys, "privacy", "erase", ZOE, stdin="oui\n")
    assert code == 1
    assert "fiche trouvée" in out and "tapez « effacer »" not in out  # the prompt is for a terminal only
    assert "rien n'a été effacé" in err
    assert count(cli_db, Member) == 2
    assert privacy_lines(cli_db, AgentAction.PRIVACY_ERASE) == []


def test_erase_removes_the_member_everywhere_keeps_the_audit_log_and_is_audited(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    two_members(cli_db)
    with session_scope(cli_db) as session:
        audit.record(session, "claire", AgentAction.MEMBER_LOOKUP, nir_hash=hash_nir(ZOE, KEY))
    code, out, err = run(capsys, "privacy", "erase", ZOE, stdin="effacer\n")
    assert code == 0, err
    assert "effacé" in out and ZOE not in out + err
    with session_scope(cli_db) as session:
        assert [m.first_name for m in session.scalars(select(Member))] == ["Marc"]
        assert [h.conversation_id for h in session.scalars(select(Handoff))] == ["conv-marc"]
        assert session.scalar(select(func.count()).select_from(ResetRequest)) == 1
        assert session.scalar(select(func.count()).select_from(NirLookup)) == 1
        assert list(session.scalars(select(AnswerFeedback.conversation_id))) == ["conv-marc"]
        assert sorted(e.member_id is None for e in session.scalars(select(AuditEvent))) == [False, True]
    with cli_db.connect() as connection:
        assert list(connection.execute(select(EVENTS.c.sender_id)).scalars()) == ["conv-marc"]
    [line] = privacy_lines(cli_db, AgentAction.PRIVACY_ERASE)
    assert line[:2] == (OPERATOR, hash_nir(ZOE, KEY))
    assert line[2]["journal_conserve"] == 1
    # The agents' audit line about her stays (append-only), by hash only.
    with session_scope(cli_db) as session:
        assert [e.action for e in audit.entries(session, actor="claire")] == ["member_lookup"]
    code, out, _ = run(capsys, "privacy", "export", ZOE)
    assert json.loads(out)["adherent"] is None


def test_a_member_in_an_open_hand_off_is_not_erased(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    add_member(cli_db, ZOE)
    add_handoff(cli_db, 0, state=HandoffState.WAITING, member_ref=hash_nir(ZOE, KEY))
    code, _, err = run(capsys, "privacy", "erase", ZOE, "--yes")
    assert code == 1 and "prise en charge de cet adhérent est en cours" in err
    assert count(cli_db, Member) == 1


def test_purge_dry_run_shows_the_periods_and_deletes_nothing_then_purge_does(
    cli_db: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    add_lookup(cli_db, 181)
    add_events(cli_db, "vieille", 91)
    code, out, _ = run(capsys, "privacy", "purge", "--dry-run")
    assert code == 0
    assert "recherches par numéro de Sécurité sociale" in out and "180 jours" in out
    assert "Total : 2 enregistrement(s) à effacer (essai : rien n'a été effacé)." in out
    assert count(cli_db, NirLookup) == 1
    code, out, _ = run(capsys, "privacy", "purge")
    assert code == 0 and "Total : 2 enregistrement(s) effacé(s)." in out
    assert count(cli_db, NirLookup) == 0
    assert [line[2]["essai"] for line in privacy_lines(cli_db, AgentAction.PRIVACY_PURGE)] == [True, False]
