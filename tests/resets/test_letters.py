"""Letters export: CSV for the printer, Argon2 hash in the database, each letter once."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import functools
import io
import re
import secrets

import pytest
from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from bot.cli.mail import register
from bot.db.engine import session_scope
from bot.db.models import AuditEvent, Base, Member, OutgoingEmail, PostalLetter, ResetRequest
from bot.members.access import verify_access_code
from bot.resets.letters import HEADER, export_letters, new_access_code
from bot.resets.links import LinkState, store_new_code
from bot.rules.access_code import BirthMonth, check_new_code
from bot.rules.nir_windows import nir_window_hashes, taken_from_nir
from bot.rules.tokens import mint_token
from tests.rules.test_nir_windows import ATTACK_OFFSETS, generated_nir

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)
# Cheap parameters: the tests check the flow, not Argon2's cost.
FAST_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
GOOD_DRAW = "538217"


def add_member(engine: Engine, first: str, last: str, email: str | None = None) -> int:
    with session_scope(engine) as session:
        member = Member(
            nir_hash=secrets.token_hex(32), first_name=first, last_name=last, email=email,
            street="12 avenue des Tilleuls, Bât. B", postal_code="69003", city="Lyon",
            access_code_hash=FAST_HASHER.hash("111111"),
        )  # fmt: skip
        session.add(member)
        session.flush()
        return member.id


def add_letter(engine: Engine, member_id: int, requested: dt.datetime) -> int:
    with session_scope(engine) as session:
        request = ResetRequest(member_id=member_id, channel="letter", created_at=requested)
        letter = PostalLetter(
            reset_request=request, created_at=requested, expected_by=(requested + dt.timedelta(days=8)).date()
        )
        session.add(letter)
        session.flush()
        return letter.id


def export(engine: Engine, now: dt.datetime = NOW) -> tuple[int, str]:
    out = io.StringIO()
    count = export_letters(engine, out, now=now, hasher=FAST_HASHER)
    return count, out.getvalue()


def rows_of(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def stored_values(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return [
            str(value)
            for table in Base.metadata.sorted_tables
            for row in connection.execute(table.select())
            for value in row
        ]


def test_new_codes_are_six_random_digits() -> None:
    codes = {new_access_code() for _ in range(200)}
    assert all(re.fullmatch(r"\d{6}", code) for code in codes)
    assert len(codes) > 190


def test_letter_codes_obey_the_rules_a_member_would_be_held_to() -> None:
    birth = BirthMonth(year2=91, month=3)
    codes = [new_access_code(birth) for _ in range(2000)]
    assert all(check_new_code(code, code, birth) is None for code in codes)


def test_a_letter_code_is_never_taken_from_the_members_nir(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 20 #9: a generated code must not be 6 consecutive digits of the member's NIR."""
    nir = generated_nir(7)
    stored = nir_window_hashes(nir, "cle")
    draws = iter([int(nir[offset : offset + 6]) for offset in ATTACK_OFFSETS] + [int(GOOD_DRAW)])
    monkeypatch.setattr(secrets, "randbelow", lambda _: next(draws))
    code = new_access_code(None, functools.partial(taken_from_nir, stored=stored, key="cle"))
    assert code == GOOD_DRAW


def test_export_writes_each_letter_with_a_code_only_its_hash_is_stored(engine: Engine) -> None:
    zoe = add_member(engine, "Zoé", "Martin")
    leo = add_member(engine, "Léo", "N'Diaye")
    add_letter(engine, zoe, NOW - dt.timedelta(days=1))
    add_letter(engine, leo, NOW - dt.timedelta(hours=2))

    count, text = export(engine)
    assert count == 2
    assert text.splitlines()[0] == ",".join(HEADER)
    assert HEADER == ("nom", "prenom", "adresse", "code_postal", "ville", "code_acces", "date_limite_arrivee")
    rows = rows_of(text)
    assert [(r["nom"], r["prenom"]) for r in rows] == [("Martin", "Zoé"), ("N'Diaye", "Léo")]
    assert rows[0]["adresse"] == "12 avenue des Tilleuls, Bât. B"  # the comma is quoted, not split
    assert (rows[0]["code_postal"], rows[0]["ville"]) == ("69003", "Lyon")
    assert rows[0]["date_limite_arrivee"] == "2026-03-09"
    assert rows[1]["date_limite_arrivee"] == "2026-03-10"

    with session_scope(engine) as session:
        for row, member_id in zip(rows, (zoe, leo), strict=True):
            code = row["code_acces"]
            assert re.fullmatch(r"\d{6}", code)
            member = session.get_one(Member, member_id)
            stored = member.pending_access_code_hash
            assert stored is not None and stored.startswith("$argon2id$")
            assert FAST_HASHER.verify(stored, code)
            # Until the member uses the letter's code, their current code still works.
            assert FAST_HASHER.verify(member.access_code_hash or "", "111111")
        letters = session.scalars(select(PostalLetter)).all()
        assert {letter.exported_at for letter in letters} == {NOW}
        assert [e.kind for e in session.scalars(select(AuditEvent))] == ["reset_letter_exported"] * 2

    everything = stored_values(engine)
    for row in rows:
        assert row["code_acces"] not in everything
        assert not any(re.search(rf"(?<!\d){row['code_acces']}(?!\d)", value) for value in everything)

    assert export(engine, NOW + dt.timedelta(hours=1)) == (0, "")


def test_only_letters_not_yet_exported_and_one_code_per_member(engine: Engine) -> None:
    zoe = add_member(engine, "Zoé", "Martin")
    leo = add_member(engine, "Léo", "Bernard", email="leo.bernard@exemple.fr")
    first = add_letter(engine, zoe, NOW - dt.timedelta(days=3))
    assert export(engine, NOW - dt.timedelta(days=2))[0] == 1
    second = add_letter(engine, zoe, NOW - dt.timedelta(days=1))
    third = add_letter(engine, zoe, NOW - dt.timedelta(hours=1))
    with session_scope(engine) as session:  # an email request is not a letter
        request = ResetRequest(member_id=leo, channel="email", created_at=NOW)
        session.add(OutgoingEmail(reset_request=request, to_address="leo.bernard@exemple.fr"))

    count, text = export(engine)
    assert count == 1
    [row] = rows_of(text)
    assert row["prenom"] == "Zoé"
    assert row["date_limite_arrivee"] == "2026-03-10"  # the latest of the two letters
    with session_scope(engine) as session:
        exported = {letter.id: letter.exported_at for letter in session.scalars(select(PostalLetter))}
        stored = session.get_one(Member, zoe).pending_access_code_hash
    assert exported == {first: NOW - dt.timedelta(days=2), second: NOW, third: NOW}
    assert stored is not None and FAST_HASHER.verify(stored, row["code_acces"])


class BrokenOutput(io.StringIO):
    def flush(self) -> None:
        raise OSError("disque plein")


def test_failed_output_marks_nothing_and_keeps_the_old_code(engine: Engine) -> None:
    zoe = add_member(engine, "Zoé", "Martin")
    add_letter(engine, zoe, NOW - dt.timedelta(days=1))
    with pytest.raises(OSError, match="disque plein"):
        export_letters(engine, BrokenOutput(), now=NOW, hasher=FAST_HASHER)
    with session_scope(engine) as session:
        assert session.scalars(select(PostalLetter.exported_at)).one() is None
        stored = session.get_one(Member, zoe).access_code_hash
        assert stored is not None and FAST_HASHER.verify(stored, "111111")
        assert session.scalars(select(AuditEvent)).all() == []
    count, text = export(engine)
    assert count == 1 and len(rows_of(text)) == 1


def test_letters_export_command_writes_csv_to_stdout_and_a_summary_to_stderr(
    db_url: str,
    engine: Engine,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("DATABASE_URL", db_url)
    add_letter(engine, add_member(engine, "Zoé", "Martin"), NOW)
    parser = argparse.ArgumentParser(prog="sesame")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["letters", "export"])

    assert args.handler(args) == 0
    captured = capsys.readouterr()
    [row] = rows_of(captured.out)
    assert row["prenom"] == "Zoé"
    assert captured.err.startswith("1 courrier exporté. Le CSV contient des codes d'accès en clair")

    assert args.handler(args) == 0
    captured = capsys.readouterr()
    assert (captured.out, captured.err) == ("", "Aucun courrier à exporter.\n")


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x.example")', "+33 1 00", "-2+3", "@SUM(A1)"])
def test_cells_that_a_spreadsheet_would_run_are_neutralised(engine: Engine, dangerous: str) -> None:
    member = add_member(engine, dangerous, dangerous)
    add_letter(engine, member, NOW - dt.timedelta(hours=1))
    _, text = export(engine)
    [row] = rows_of(text)
    assert row["nom"] == "'" + dangerous and row["prenom"] == "'" + dangerous
    assert row["ville"] == "Lyon"  # ordinary cells are untouched


def test_a_letter_never_locks_the_member_out(engine: Engine) -> None:
    """Someone who knows a postal member's NIR asks for a letter: the member still signs in."""
    zoe = add_member(engine, "Zoé", "Martin")
    add_letter(engine, zoe, NOW - dt.timedelta(hours=1))
    [row] = rows_of(export(engine)[1])
    new_code = row["code_acces"]
    with session_scope(engine) as session:
        member = session.get_one(Member, zoe)
        assert verify_access_code(member, "111111", FAST_HASHER)  # the current code still opens
        assert member.pending_access_code_hash is not None  # and the letter's code still waits
        assert not verify_access_code(member, "999999", FAST_HASHER)
    with session_scope(engine) as session:  # the member receives the letter and signs in with it
        member = session.get_one(Member, zoe)
        assert verify_access_code(member, new_code, FAST_HASHER)
    with session_scope(engine) as session:
        member = session.get_one(Member, zoe)
        assert member.pending_access_code_hash is None
        assert verify_access_code(member, new_code, FAST_HASHER)
        assert not verify_access_code(member, "111111", FAST_HASHER)  # the old code is gone now


def test_changing_the_code_by_link_drops_a_letters_pending_code(engine: Engine) -> None:
    zoe = add_member(engine, "Zoé", "Martin")
    add_letter(engine, zoe, NOW - dt.timedelta(hours=1))
    [row] = rows_of(export(engine)[1])
    _token, token_hash = mint_token()
    with session_scope(engine) as session:
        session.add(
            ResetRequest(
                member_id=zoe, channel="email", created_at=NOW, token_hash=token_hash,
                token_expires_at=NOW + dt.timedelta(hours=1),
            )
        )  # fmt: skip
    with session_scope(engine) as session:
        assert store_new_code(session, token_hash, FAST_HASHER.hash("482913"), NOW) is LinkState.VALID
    with session_scope(engine) as session:
        member = session.get_one(Member, zoe)
        assert member.pending_access_code_hash is None
        assert not verify_access_code(member, row["code_acces"], FAST_HASHER)
        assert verify_access_code(member, "482913", FAST_HASHER)
