"""``./sesame agents …`` and ``./sesame audit export``, through the real command line."""

from __future__ import annotations

import csv
import datetime as dt
import getpass
import io
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot.agents import accounts, audit
from bot.agents.sessions import BadCredentials, SignedIn, TooManyFailures, current_agent, sign_in
from bot.cli.agents import PasswordEntryFailed, read_password
from bot.cli.main import main
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole
from tests.conftest import ROOT

PASSWORD = "cheval-agrafe-pile-7"  # noqa: S105 - a test password
NEW_PASSWORD = "lampe-verte-au-grenier"  # noqa: S105 - a test password
CLIENT = "c" * 64
NOW = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone.utc)
OPERATOR = f"cli:{getpass.getuser()}"


@pytest.fixture
def cli_db(db_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("DATABASE_URL", db_url)
    return db_url


def typed(monkeypatch: pytest.MonkeyPatch, text: str) -> io.StringIO:
    """Standard input that is not a terminal, holding ``text``."""
    stdin = io.StringIO(text)
    monkeypatch.setattr(sys, "stdin", stdin)
    return stdin


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def signs_in(engine: Engine, login: str, password: str) -> bool:
    with session_scope(engine) as session:
        outcome = sign_in(session, login, password, CLIENT, NOW)
    assert isinstance(outcome, SignedIn | BadCredentials)
    return isinstance(outcome, SignedIn)


def add(engine: Engine, login: str, role: AgentRole = AgentRole.CONSEILLER) -> None:
    with session_scope(engine) as session:
        accounts.add_agent(session, login, PASSWORD, actor="cli:test", role=role, display_name=login.title())


# --- agents add -------------------------------------------------------------------------------


def test_add_reads_the_password_from_standard_input_and_never_prints_it(
    cli_db: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed(monkeypatch, PASSWORD + "\n")
    code, out, err = run(capsys, "agents", "add", "Claire", "--nom", "Claire Dupont", "--role", "superviseur")
    assert (code, err) == (0, "")
    assert (
        out
        == "Compte créé : claire (superviseur). Connexion : /conseiller/ (console) et /atelier/ (atelier)\n"
    )
    assert PASSWORD not in out + err
    assert signs_in(engine, "claire", PASSWORD)
    with session_scope(engine) as session:
        agent = accounts.find_agent(session, "claire")
        assert agent is not None and (agent.display_name, agent.role) == (
            "Claire Dupont",
            AgentRole.SUPERVISEUR,
        )
        [line] = audit.entries(session, actor=OPERATOR)
        assert (line.action, line.detail) == ("agent_added", {"agent": "claire", "role": "superviseur"})


def test_a_formateur_is_sent_to_the_workbench(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 22: « Connexion : /conseiller/ » sent a formateur to a page that refuses them."""
    typed(monkeypatch, PASSWORD + "\n")
    out = run(capsys, "agents", "add", "fanny", "--role", "formateur")[1]
    assert out == "Compte créé : fanny (formateur). Connexion : /atelier/\n"


def test_add_makes_a_conseiller_by_default(
    cli_db: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed(monkeypatch, PASSWORD + "\r\n")  # a Windows line end is not part of the password
    assert (
        run(capsys, "agents", "add", "marc")[1]
        == "Compte créé : marc (conseiller). Connexion : /conseiller/\n"
    )
    assert signs_in(engine, "marc", PASSWORD)


def test_add_an_existing_login_is_refused_before_asking_for_a_password(
    cli_db: str, engine: Engine, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    add(engine, "claire")
    stdin = typed(monkeypatch, NEW_PASSWORD + "\n")
    code, out, err = run(capsys, "agents", "add", "CLAIRE")
    assert (code, out, err) == (1, "", "Refusé : L'identifiant « claire » existe déjà.\n")
    assert stdin.read() == NEW_PASSWORD + "\n"  # not read
    assert signs_in(engine, "claire", PASSWORD)


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ("court\n", "Refusé : Mot de passe trop court : 12 caractères au moins.\n"),
        ("motdepasse123\n", "Refusé : Ce mot de passe est trop courant : choisissez-en un autre.\n"),
        ("claire-au-bureau-2026\n", "Refusé : Le mot de passe ne doit pas contenir l'identifiant.\n"),
        ("", "Refusé : Aucun mot de passe saisi : rien n'a été changé.\n"),
        ("\n", "Refusé : Aucun mot de passe saisi : rien n'a été changé.\n"),
    ],
)
def test_add_with_a_refused_password_creates_nothing(
    cli_db: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: str,
    message: str,
) -> None:
    typed(monkeypatch, given)
    assert run(capsys, "agents", "add", "claire") == (1, "", message)
    with session_scope(engine) as session:
        assert accounts.list_agents(session) == []
        assert audit.entries(session) == []


def test_add_an_invalid_login_says_which_are_allowed(
    cli_db: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    typed(monkeypatch, PASSWORD + "\n")
    code, _, err = run(capsys, "agents", "add", "élodie")
    assert code == 1 and err.startswith("Refusé : Identifiant invalide : 2 à 64 caractères")


def test_add_an_unknown_role_is_an_argument_error(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["agents", "add", "claire", "--role", "admin"])
    assert exit_.value.code == 2
    assert "conseiller" in capsys.readouterr().err


def test_a_database_not_yet_upgraded_is_refused_with_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'vide.db'}")
    typed(monkeypatch, PASSWORD + "\n")
    code, _, err = run(capsys, "agents", "add", "claire")
    assert code == 1 and "Lancez d'abord : ./sesame db upgrade" in err


# --- read_password ------------------------------------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def prompts(*answers: str) -> tuple[list[str], Callable[[str], str]]:
    asked: list[str] = []
    given = iter(answers)

    def prompt(text: str) -> str:
        asked.append(text)
        return next(given)

    return asked, prompt


def test_on_a_terminal_the_password_is_asked_twice_without_echo() -> None:
    asked, prompt = prompts(PASSWORD, PASSWORD)
    assert read_password(FakeTerminal("ne doit pas être lu\n"), prompt) == PASSWORD
    assert asked == ["Mot de passe (12 caractères au moins) : ", "Confirmez le mot de passe : "]


def test_on_a_terminal_two_different_entries_are_refused() -> None:
    _, prompt = prompts(PASSWORD, PASSWORD + "x")
    with pytest.raises(PasswordEntryFailed, match="Les deux saisies diffèrent : rien n'a été changé"):
        read_password(FakeTerminal(), prompt)


def test_on_a_terminal_an_empty_entry_is_refused() -> None:
    _, prompt = prompts("", "")
    with pytest.raises(PasswordEntryFailed, match="Aucun mot de passe saisi"):
        read_password(FakeTerminal(), prompt)


def test_off_a_terminal_one_line_is_read_and_no_prompt_shown() -> None:
    asked, prompt = prompts()
    stdin = io.StringIO("  espaces compris  \nligne suivante\n")
    assert read_password(stdin, prompt) == "  espaces compris  "
    assert asked == [] and stdin.read() == "ligne suivante\n"


# --- list, disable, reset-password ----------------------------------------------------------


def test_list_without_accounts_says_how_to_create_one(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "agents", "list") == (
        0,
        "Aucun compte. Créez-en un : ./sesame agents add IDENTIFIANT\n",
        "",
    )


def test_list_shows_role_state_and_last_sign_in_in_paris_time(
    cli_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    add(engine, "zoe", AgentRole.SUPERVISEUR)
    add(engine, "claire")
    assert signs_in(engine, "claire", PASSWORD)  # at NOW: 10:00 in Paris
    with session_scope(engine) as session:
        accounts.disable_agent(session, "zoe", actor="cli:test")
    code, out, _ = run(capsys, "agents", "list")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].split() == ["IDENTIFIANT", "NOM", "RÔLE", "ÉTAT", "DERNIÈRE", "CONNEXION"]
    assert lines[1].split() == ["claire", "Claire", "conseiller", "actif", "2026-11-30", "10:00"]
    assert lines[2].split() == ["zoe", "Zoe", "superviseur", "désactivé", "jamais"]
    assert PASSWORD not in out and "argon2" not in out


def test_disable_signs_the_agent_out_and_refuses_further_sign_ins(
    cli_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    add(engine, "claire")
    with session_scope(engine) as session:
        signed = sign_in(session, "claire", PASSWORD, CLIENT, NOW)
        assert isinstance(signed, SignedIn)
    assert run(capsys, "agents", "disable", "Claire") == (
        0,
        "Compte désactivé : claire ; ses sessions sont fermées.\n",
        "",
    )
    with session_scope(engine) as session:
        assert current_agent(session, signed.token, NOW) is None
        assert [e.action for e in audit.entries(session, actor=OPERATOR)] == ["agent_disabled"]
    assert not signs_in(engine, "claire", PASSWORD)


def test_disable_an_unknown_login(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "agents", "disable", "fantome") == (
        1,
        "",
        "Refusé : Aucun conseiller n'a l'identifiant « fantome ».\n",
    )


def test_unlock_forgets_the_failures_so_the_agent_signs_in_at_once_and_is_audited(
    cli_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    add(engine, "claire")
    for _ in range(6):  # the sixth is refused: the pair waits now
        with session_scope(engine) as session:
            outcome = sign_in(session, "claire", "mauvais-mot-de-passe", CLIENT, NOW)
    assert isinstance(outcome, TooManyFailures)
    assert run(capsys, "agents", "unlock", "Claire") == (
        0,
        "Compte débloqué : claire ; 5 échec(s) de connexion oublié(s).\n",
        "",
    )
    with session_scope(engine) as session:
        unlocks = [(e.action, e.detail) for e in audit.entries(session, actor=OPERATOR)]
    assert unlocks == [("agent_unlocked", {"agent": "claire", "echecs_oublies": 5})]
    assert signs_in(engine, "claire", PASSWORD)


def test_unlock_an_unknown_login(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "agents", "unlock", "fantome") == (
        1,
        "",
        "Refusé : Aucun conseiller n'a l'identifiant « fantome ».\n",
    )


def test_reset_password_sets_the_new_one_and_ends_sessions(
    cli_db: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add(engine, "claire")
    with session_scope(engine) as session:
        signed = sign_in(session, "claire", PASSWORD, CLIENT, NOW)
        assert isinstance(signed, SignedIn)
    typed(monkeypatch, NEW_PASSWORD + "\n")
    assert run(capsys, "agents", "reset-password", "claire") == (
        0,
        "Mot de passe changé : claire ; ses sessions sont fermées.\n",
        "",
    )
    with session_scope(engine) as session:
        assert current_agent(session, signed.token, NOW) is None
    assert not signs_in(engine, "claire", PASSWORD)
    assert signs_in(engine, "claire", NEW_PASSWORD)


def test_reset_password_refusals(
    cli_db: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    stdin = typed(monkeypatch, NEW_PASSWORD + "\n")
    assert run(capsys, "agents", "reset-password", "fantome") == (
        1,
        "",
        "Refusé : Aucun conseiller n'a l'identifiant « fantome ».\n",
    )
    assert stdin.read() == NEW_PASSWORD + "\n"  # unknown login: the password is not even asked
    add(engine, "claire")
    typed(monkeypatch, "court\n")
    assert run(capsys, "agents", "reset-password", "claire")[0] == 1
    assert signs_in(engine, "claire", PASSWORD)


# --- audit export -----------------------------------------------------------------------------


def log(engine: Engine) -> None:
    with session_scope(engine) as session:
        # 22:30 UTC on 29 November is 23:30 in Paris: before 30 November.
        audit.record(
            session,
            "claire",
            AgentAction.SIGN_IN,
            now=dt.datetime(2026, 11, 29, 22, 30, tzinfo=dt.timezone.utc),
        )
        # 23:30 UTC on 29 November is 00:30 on 30 November in Paris.
        audit.record(
            session,
            "claire",
            AgentAction.MEMBER_LOOKUP,
            nir_hash="ab" * 32,
            now=dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.timezone.utc),
        )
        audit.record(session, "marc", AgentAction.SIGN_IN, now=NOW)
        audit.record(session, "=cmd", AgentAction.SIGN_IN_FAILED, now=NOW, raison="inconnu")


def rows(out: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(out, newline="")))


def test_audit_export_since_a_day_in_paris_time(
    cli_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]
) -> None:
    log(engine)
    code, out, err = run(capsys, "audit", "export", "--since", "2026-11-30")
    assert (code, err) == (0, "")
    exported = rows(out)
    assert exported[0] == ["date_utc", "acteur", "action", "adherent_nir_hash", "detail"]
    assert [row[:3] for row in exported[1:]] == [
        ["2026-11-29T23:30:00+00:00", "claire", "member_lookup"],
        ["2026-11-30T09:00:00+00:00", "marc", "sign_in"],
        ["2026-11-30T09:00:00+00:00", "'=cmd", "sign_in_failed"],
    ]
    assert exported[1][3] == "ab" * 32


def test_audit_export_of_one_agent(cli_db: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    log(engine)
    code, out, _ = run(capsys, "audit", "export", "--since", "2026-11-01", "--agent", " Claire ")
    assert code == 0
    assert [row[1:3] for row in rows(out)[1:]] == [["claire", "sign_in"], ["claire", "member_lookup"]]


def test_audit_export_with_nothing_to_show_prints_the_header(
    cli_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(capsys, "audit", "export", "--since", "2026-11-30")[:2] == (
        0,
        "date_utc,acteur,action,adherent_nir_hash,detail\r\n",
    )


@pytest.mark.parametrize("since", ["30/11/2026", "2026-13-01", "hier"])
def test_audit_export_needs_a_real_date(cli_db: str, capsys: pytest.CaptureFixture[str], since: str) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["audit", "export", "--since", since])
    assert exit_.value.code == 2
    assert f"date invalide « {since} » : attendu AAAA-MM-JJ" in capsys.readouterr().err


def test_audit_export_requires_since(cli_db: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["audit", "export"])
    assert "--since" in capsys.readouterr().err


# --- the real ./sesame ------------------------------------------------------------------------


def test_sesame_agents_add_with_the_password_on_standard_input(db_url: str, engine: Engine) -> None:
    done = subprocess.run(  # noqa: S603 - our own launcher, fixed arguments
        [str(ROOT / "sesame"), "agents", "add", "demo", "--nom", "Démo"],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": db_url},
        timeout=120,
        check=False,
    )
    assert (done.returncode, done.stderr) == (0, "")
    assert done.stdout == "Compte créé : demo (conseiller). Connexion : /conseiller/\n"
    assert signs_in(engine, "demo", PASSWORD)
