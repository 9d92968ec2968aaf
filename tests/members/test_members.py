"""Members: keyed NIR hash, look-up, CSV import, demo members and the ``db``/``members`` commands.

Every NIR here is generated (tests.support.nirs), never a real one.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from sqlalchemy import Engine, func, select

from bot.cli import members as cli_db
from bot.db.engine import session_scope
from bot.db.migrate import head_revision
from bot.db.models import AuditEvent, Member
from bot.members.demo import RealMembersPresent, demo_rows, demo_table_markdown, seed_demo, spaced_nir
from bot.members.importer import COLUMNS, ImportReport, MemberFileError, import_members
from bot.members.lookup import find_member, hash_nir
from bot.rules.nir import InvalidNir, normalize_nir
from bot.rules.nir_windows import nir_window_hashes
from tests.support.nirs import spellings, valid_nirs, with_key

KEY = "test-key-not-a-secret"
HEADER = ",".join(COLUMNS)


def nir(i: int) -> str:
    """The i-th generated NIR: valid by checksum, distinct for each i < 990."""
    return with_key(f"{1 + i % 2}{60 + i % 40:02d}{1 + i % 12:02d}75{1 + i:03d}{500 + i % 400:03d}")


def wrong_key(number: str) -> str:
    """The same body with another key: invalid by checksum."""
    return number[:13] + f"{(int(number[13:]) + 1) % 100:02d}"


def row(i: int, **changes: str) -> str:
    values = {
        "nir": nir(i),
        "first_name": f"Prénom{i}",
        "last_name": f"Nom{i}",
        "email": f"adherent{i}@exemple.example",
        "street": f"{i} rue des Lilas",
        "postal_code": "75011",
        "city": "Paris",
    }
    values.update(changes)
    return ",".join(values[column] for column in COLUMNS)


def write_csv(tmp_path: Path, lines: list[str], encoding: str = "utf-8", name: str = "adherents.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def run_import(engine: Engine, path: Path, key: str = KEY) -> ImportReport:
    with session_scope(engine) as session:
        return import_members(session, path, key)


def count_members(engine: Engine) -> int:
    with session_scope(engine) as session:
        return session.scalar(select(func.count()).select_from(Member)) or 0


def assert_no_nir_in(text: str, nirs: list[str]) -> None:
    """Neither the NIR nor its 13-digit body, whatever the spacing."""
    digits = re.sub(r"[\s.\-]", "", text)
    for number in nirs:
        assert number[:13] not in digits


# --- hash and look-up ---------------------------------------------------------------


@given(valid_nirs)
def test_every_spelling_of_a_nir_has_the_same_hash(number: str) -> None:
    hashes = {hash_nir(spelling, KEY) for spelling in spellings(number)}
    assert len(hashes) == 1
    assert re.fullmatch(r"[0-9a-f]{64}", hashes.pop())


@given(valid_nirs)
def test_another_key_gives_another_hash(number: str) -> None:
    assert hash_nir(number, KEY) != hash_nir(number, KEY + "-2")


def test_hash_of_an_invalid_nir_raises() -> None:
    with pytest.raises(InvalidNir):
        hash_nir(wrong_key(nir(1)), KEY)


def test_find_member_by_any_spelling(engine: Engine, tmp_path: Path) -> None:
    run_import(engine, write_csv(tmp_path, [HEADER, row(1), row(2)]))
    with session_scope(engine) as session:
        for spelling in spellings(nir(2)):
            member = find_member(session, spelling, KEY)
            assert member is not None and member.last_name == "Nom2"
        assert find_member(session, nir(3), KEY) is None
        assert find_member(session, nir(2), "another-key") is None


# --- import -------------------------------------------------------------------------


def test_import_of_a_valid_file(engine: Engine, tmp_path: Path) -> None:
    lines = [HEADER, row(1), row(2, email=""), row(3, first_name="Zoé", city="Saint-Étienne")]
    report = run_import(engine, write_csv(tmp_path, lines))
    assert (report.created, report.updated, report.skipped) == (3, 0, 0)
    with session_scope(engine) as session:
        members = {m.nir_hash: m for m in session.scalars(select(Member))}
        assert set(members) == {hash_nir(nir(i), KEY) for i in (1, 2, 3)}
        assert members[hash_nir(nir(2), KEY)].email is None
        zoe = members[hash_nir(nir(3), KEY)]
        assert (zoe.first_name, zoe.city, zoe.postal_code) == ("Zoé", "Saint-Étienne", "75011")
        event = session.scalars(select(AuditEvent)).one()
        assert event.kind == "members_imported"
        assert event.detail == {"created": 3, "updated": 0, "skipped": 0}


def test_reimport_updates_without_duplicates(engine: Engine, tmp_path: Path) -> None:
    first = write_csv(tmp_path, [HEADER, row(1), row(2)], name="v1.csv")
    run_import(engine, first)
    again = run_import(engine, first)
    assert (again.created, again.updated, again.skipped) == (0, 2, 0)
    changed = write_csv(tmp_path, [HEADER, row(1, email="nouvelle@exemple.example"), row(3)], name="v2.csv")
    report = run_import(engine, changed)
    assert (report.created, report.updated) == (1, 1)
    assert count_members(engine) == 3
    with session_scope(engine) as session:
        member = find_member(session, nir(1), KEY)
        assert member is not None and member.email == "nouvelle@exemple.example"
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 3


def test_bad_rows_are_reported_with_line_numbers_and_skipped(engine: Engine, tmp_path: Path) -> None:
    bad_key = wrong_key(nir(4))
    lines = [
        HEADER,  # line 1
        row(1),  # 2: good
        row(2) + ",en trop",  # 3: 8 columns
        row(4, nir=bad_key),  # 4: wrong key
        "",  # 5: blank, ignored
        row(5, city=""),  # 6: missing city
        row(6, email="pas-une-adresse"),  # 7: malformed email
        row(7, postal_code="7501"),  # 8: postal code
        row(8),  # 9: good
        row(8, first_name="Doublon"),  # 10: same NIR as line 9
        row(9, first_name="x" * 101),  # 11: too long
        row(10, email=nir(10)),  # 12: a NIR in the email column
        row(11, nir=nir(11)[:13]),  # 13: key missing
    ]
    report = run_import(engine, write_csv(tmp_path, lines))
    assert (report.created, report.updated) == (2, 0)
    reasons = dict(report.errors)
    assert sorted(reasons) == [3, 4, 6, 7, 8, 10, 11, 12, 13]
    assert reasons[3].startswith("8 colonnes au lieu de 7")
    assert "clé" in reasons[4] and "numéro de Sécurité sociale" in reasons[4]
    assert "ville (city) manquant" in reasons[6]
    assert "e-mail" in reasons[7] and "e-mail" in reasons[12]
    assert "code postal" in reasons[8]
    assert "ligne 9" in reasons[10]
    assert "100 caractères" in reasons[11]
    assert "clé manquante" in reasons[13]
    assert count_members(engine) == 2
    text = "\n".join(cli_db.format_report(report))
    assert_no_nir_in(text, [nir(i) for i in range(1, 12)] + [bad_key])


def test_utf8_bom_semicolons_crlf_and_quotes_are_accepted(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "excel.csv"
    semicolons = [HEADER.replace(",", ";"), row(1).replace(",", ";"), row(2).replace(",", ";")]
    lines = [*semicolons[:2], semicolons[2].replace("2 rue des Lilas", '"3; rue du Port"')]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    report = run_import(engine, path)
    assert (report.created, report.skipped) == (2, 0), report.errors
    with session_scope(engine) as session:
        member = find_member(session, nir(2), KEY)
        assert member is not None and member.street == "3; rue du Port"


def test_columns_in_another_order(engine: Engine, tmp_path: Path) -> None:
    order = ["city", "nir", "email", "last_name", "first_name", "postal_code", "street"]
    values = {"city": "Lyon", "nir": nir(1), "email": "", "last_name": "Nom", "first_name": "Prénom"}
    values |= {"postal_code": "69003", "street": "4 place des Tilleuls"}
    path = write_csv(
        tmp_path, [" " + ", ".join(o.upper() for o in order), ",".join(values[o] for o in order)]
    )
    assert run_import(engine, path).created == 1


def test_unterminated_quote_is_reported_with_its_lines(engine: Engine, tmp_path: Path) -> None:
    lines = [HEADER, row(1, street='"12 rue des Lilas'), row(2), row(3)]
    report = run_import(engine, write_csv(tmp_path, lines))
    assert report.created == 0
    assert len(report.errors) == 1
    line, reason = report.errors[0]
    assert line == 2 and "guillemet" in reason and "lignes 2 à" in reason


@pytest.mark.parametrize(
    ("first_line", "expected"),
    [
        ("nir,first_name,last_name,street,postal_code,city", "colonne(s) manquante(s) : email"),
        (HEADER + ",telephone", "1 colonne(s) inconnue(s)"),
        (HEADER.replace("email", "mail"), "manquante(s) : email ; 1 colonne(s) inconnue(s)"),
        ("", "la première ligne est vide"),
    ],
)
def test_a_wrong_header_imports_nothing(
    engine: Engine, tmp_path: Path, first_line: str, expected: str
) -> None:
    path = write_csv(tmp_path, [first_line, row(1), row(2)])
    with pytest.raises(MemberFileError) as caught:
        run_import(engine, path)
    assert expected in caught.value.message
    assert "nir,first_name,last_name,email,street,postal_code,city" in caught.value.message
    assert count_members(engine) == 0
    with session_scope(engine) as session:
        assert session.scalar(select(func.count()).select_from(AuditEvent)) == 0


def test_a_file_without_header_is_refused_without_quoting_it(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(MemberFileError) as caught:
        run_import(engine, write_csv(tmp_path, [row(1), row(2)]))
    assert "première ligne" in caught.value.message
    assert_no_nir_in(caught.value.message, [nir(1), nir(2)])


def test_unreadable_files(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(MemberFileError, match="Impossible de lire"):
        run_import(engine, tmp_path / "absent.csv")
    latin1 = write_csv(tmp_path, [HEADER, row(1), row(2, city="Besançon")], encoding="latin-1")
    with pytest.raises(MemberFileError, match=r"UTF-8 \(premier caractère illisible ligne 2\)"):
        run_import(engine, latin1)  # "Prénom1" on line 2
    empty = tmp_path / "vide.csv"
    empty.write_bytes(b"")
    with pytest.raises(MemberFileError, match="vide"):
        run_import(engine, empty)
    assert count_members(engine) == 0


# --- demo members -------------------------------------------------------------------


def test_demo_rows_are_stable_valid_and_varied() -> None:
    rows = demo_rows()
    assert rows == demo_rows()
    assert all(tuple(r) == COLUMNS for r in rows)
    nirs = [r["nir"] for r in rows]
    assert [normalize_nir(n) for n in nirs] == nirs
    assert len(set(nirs)) == len(nirs)
    with_email = [r["email"] for r in rows if r["email"]]
    assert with_email and len(with_email) < len(rows)
    assert all(email.endswith(".example") for email in with_email)


def test_seed_demo_is_idempotent(engine: Engine) -> None:
    count = len(demo_rows())
    with session_scope(engine) as session:
        first = seed_demo(session, KEY)
    with session_scope(engine) as session:
        second = seed_demo(session, KEY)
    assert (first.created, first.updated, first.skipped) == (count, 0, 0)
    assert (second.created, second.updated, second.skipped) == (0, count, 0)
    assert count_members(engine) == count
    with session_scope(engine) as session:
        for r in demo_rows():
            member = find_member(session, spaced_nir(r["nir"]), KEY)
            assert member is not None and member.email == (r["email"] or None)


def test_seed_demo_refuses_a_database_with_real_members(engine: Engine, tmp_path: Path) -> None:
    run_import(engine, write_csv(tmp_path, [HEADER, row(1), row(2)]))
    with session_scope(engine) as session, pytest.raises(RealMembersPresent) as refused:
        seed_demo(session, KEY)
    assert refused.value.count == 2
    assert count_members(engine) == 2  # no demo member slipped in


def test_demo_table_lists_every_demo_member() -> None:
    table = demo_table_markdown()
    rows = demo_rows()
    assert len(table.strip().splitlines()) == 2 + len(rows)
    for r in rows:
        assert spaced_nir(r["nir"]) in table and r["last_name"] in table


# --- command line -------------------------------------------------------------------


@pytest.fixture
def sqlite_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("NIR_HASH_KEY", KEY)
    return url


def test_cli_upgrade_then_import(sqlite_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path, [HEADER, row(1), row(2), row(3, postal_code="ABCDE")])
    assert cli_db.main(["members", "import", str(path)]) == 1
    assert "./sesame db upgrade" in capsys.readouterr().err

    assert cli_db.main(["db", "upgrade"]) == 0
    assert f"révision {head_revision()}" in capsys.readouterr().out

    assert cli_db.main(["members", "import", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "2 adhérents importés (2 nouveaux, 0 mis à jour), 1 ligne ignorée :",
        "ligne 4 : code postal (postal_code) invalide : 5 chiffres attendus",
    ]
    assert cli_db.main(["members", "import", str(path)]) == 0
    assert capsys.readouterr().out.startswith(
        "2 adhérents importés (0 nouveau, 2 mis à jour), 1 ligne ignorée"
    )


def test_cli_refuses_a_bad_header_or_a_missing_file(
    sqlite_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_db.main(["db", "upgrade"]) == 0
    capsys.readouterr()
    assert cli_db.main(["members", "import", str(write_csv(tmp_path, ["nom,prenom", "a,b"]))]) == 1
    assert capsys.readouterr().err.startswith("Import annulé : En-tête incorrect")
    assert cli_db.main(["members", "import", str(tmp_path / "absent.csv")]) == 1
    assert "Impossible de lire le fichier" in capsys.readouterr().err


def test_cli_seed_demo(sqlite_env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli_db.main(["db", "upgrade"]) == 0
    assert cli_db.main(["members", "seed-demo"]) == 0
    assert cli_db.main(["members", "seed-demo"]) == 0
    count = len(demo_rows())
    out = capsys.readouterr().out.splitlines()
    assert (
        out[-1] == f"Adhérents de démonstration : {count} adhérents importés (0 nouveau, {count} mis à jour)."
    )


def test_cli_seed_demo_next_to_real_members_says_why_and_adds_nothing(
    sqlite_env: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli_db.main(["db", "upgrade"]) == 0
    assert cli_db.main(["members", "import", str(write_csv(tmp_path, [HEADER, row(1)]))]) == 0
    capsys.readouterr()
    assert cli_db.main(["members", "seed-demo"]) == cli_db.SEED_REFUSED
    assert "cette base contient déjà 1 adhérent réel." in capsys.readouterr().err


def test_cli_warns_about_the_development_key(
    sqlite_env: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NIR_HASH_KEY", "dev-only-change-me")
    cli_db.main(["db", "upgrade"])
    assert cli_db.main(["members", "import", str(write_csv(tmp_path, [HEADER, row(1)]))]) == 0
    assert "NIR_HASH_KEY a sa valeur de développement" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("column", "value", "position"),
    [
        ("last_name", "Mar\u202etin", 4),  # right-to-left override
        ("first_name", "Zo\u200bé", 3),  # zero-width space
        ("street", "1 rue\u2028des Lilas", 6),  # line separator
        ("city", "Par\u0085is", 4),  # C1 "next line"
        ("street", "1 rue\tdes Lilas", 6),  # tab
        ("last_name", "\u2066Martin\u2069", 1),  # bidirectional isolates
    ],
)
def test_invisible_and_control_characters_are_refused_with_their_line_and_position(
    engine: Engine, tmp_path: Path, column: str, value: str, position: int
) -> None:
    quoted = '"' + value + '"'
    report = run_import(engine, write_csv(tmp_path, [HEADER, row(1), row(2, **{column: quoted})]))
    assert report.created == 1
    [(line, reason)] = report.errors
    assert line == 3
    assert f"caractère invisible ou de contrôle interdit (position {position})" in reason
    assert value not in reason


def test_import_keeps_the_birth_month_and_nothing_else_of_the_nir(engine: Engine, tmp_path: Path) -> None:
    number = nir(2)  # born in month 3 of year 62 (see ``nir``)
    run_import(engine, write_csv(tmp_path, [HEADER, row(2)]))
    with session_scope(engine) as session:
        member = session.scalars(select(Member)).one()
        assert (member.birth_year2, member.birth_month) == (int(number[1:3]), int(number[3:5]))
        assert number not in " ".join(str(value) for value in vars(member).values())
        # The keyed hashes of its 6-digit runs, for "not a code taken from your NIR", not the digits.
        assert member.nir_window_hashes == nir_window_hashes(number, KEY)
        kept = " ".join(str(value) for value in vars(member).values())
        assert not any(number[i : i + 6] in kept for i in range(10))
