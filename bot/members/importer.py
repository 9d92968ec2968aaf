"""The CSV import from ACS's member file (members are keyed by ``bot.members.lookup.hash_nir``).

The import is for an operator, so every refusal is in French and points at a line
number; no message ever repeats a cell's content, since a shifted column can put
a NIR anywhere.
"""

from __future__ import annotations

import csv
import errno
import io
import logging
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db.enums import AuditKind
from bot.db.models import AuditEvent, Member
from bot.members.lookup import hash_nir
from bot.rules.access_code import BirthMonth
from bot.rules.nir import InvalidNir, normalize_nir
from bot.rules.nir_windows import nir_window_hashes

log = logging.getLogger(__name__)

COLUMNS: tuple[str, ...] = ("nir", "first_name", "last_name", "email", "street", "postal_code", "city")
OPTIONAL_COLUMNS = frozenset({"email"})
# The operator sees the CSV's column names; the French label says what they mean.
LABELS: dict[str, str] = {
    "nir": "numéro de Sécurité sociale (nir)",
    "first_name": "prénom (first_name)",
    "last_name": "nom (last_name)",
    "email": "adresse e-mail (email)",
    "street": "adresse (street)",
    "postal_code": "code postal (postal_code)",
    "city": "ville (city)",
}

EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
)
# French postal codes: five digits, never starting with 00 (Corsica is 20xxx).
POSTAL_CODE = re.compile(r"(?!00)\d{5}")


def _column_lengths() -> dict[str, int]:
    """The columns' sizes in the database: longer values are refused, not truncated
    (PostgreSQL would reject the whole import)."""
    lengths = {}
    for column in COLUMNS:
        if column in Member.__table__.c:
            length = getattr(Member.__table__.c[column].type, "length", None)
            if isinstance(length, int):
                lengths[column] = length
    return lengths


MAX_LENGTHS = _column_lengths()
# bot.rules.nir speaks to the member ("votre carte Vitale"); the operator gets the gist.
NIR_REASONS: dict[str, str] = {
    "empty": "aucun chiffre",
    "too_short": "moins de 15 caractères",
    "too_long": "plus de 15 caractères",
    "letter": "caractère autre qu'un chiffre (hors 2A/2B)",
    "missing_key": "clé manquante (13 caractères au lieu de 15)",
    "bad_key": "la clé (2 derniers chiffres) ne correspond pas au numéro",
    "bad_sex": "1er chiffre impossible",
    "bad_month": "mois de naissance impossible",
    "bad_department": "département de naissance impossible",
}
OS_ERRORS: dict[int, str] = {
    errno.ENOENT: "fichier introuvable",
    errno.EACCES: "lecture non autorisée",
    errno.EISDIR: "c'est un dossier, pas un fichier",
}
# Control characters (C0, DEL, C1 such as U+0085), invisible formatting characters
# (zero-width spaces, bidirectional overrides such as U+202E) and line or paragraph
# separators (U+2028, U+2029): none belongs in a name or an address, and each can
# hide or reorder what a printer, a spreadsheet or an agent reads.
FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"})


def forbidden_character_position(value: str) -> int | None:
    """The 1-based position of the first forbidden character in ``value``, if any."""
    for position, ch in enumerate(value, 1):
        if unicodedata.category(ch) in FORBIDDEN_CATEGORIES:
            return position
    return None


LOOKUP_CHUNK = 500


class MemberFileError(Exception):
    """The file as a whole cannot be imported (unreadable, not UTF-8, wrong header).

    Nothing was imported; ``message`` is French, for the operator.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass
class ImportReport:
    """What an import did: counts, and each skipped line with its French reason."""

    created: int = 0
    updated: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def skipped(self) -> int:
        return len(self.errors)

    @property
    def imported(self) -> int:
        return self.created + self.updated


@dataclass(frozen=True)
class _Row:
    line: int
    nir_hash: str
    values: dict[str, str | int | list[str] | None]


def import_members(session: Session, path: Path, key: str) -> ImportReport:
    """Create or update members from ACS's CSV file; bad lines are reported and skipped.

    Columns: ``nir,first_name,last_name,email,street,postal_code,city`` (any order),
    UTF-8 with or without BOM, comma-separated (a semicolon, as French Excel writes,
    is accepted too). Importing the same file again changes nothing: a known NIR
    updates its member. Raises ``MemberFileError`` — and imports nothing — if the
    file cannot be read or its header is wrong. The caller commits.
    """
    text = _read_text(path)
    records, order = _open_csv(text)
    report = _apply(session, _validate(records, order, key))
    _audit(session, AuditKind.MEMBERS_IMPORTED, report)
    return report


def import_records(
    session: Session, records: Sequence[dict[str, str]], key: str, kind: AuditKind
) -> ImportReport:
    """Create or update members from rows already in memory (the demo members).

    Same checks and same idempotence as the CSV import; a row's "line" is its
    position counted from 1. ``kind`` names the audit event.
    """
    numbered = (
        _Record(i, i, [record.get(column, "") for column in COLUMNS]) for i, record in enumerate(records, 1)
    )
    report = _apply(session, _validate(numbered, list(COLUMNS), key))
    _audit(session, kind, report)
    return report


class _Record(NamedTuple):
    line: int  # where the record starts
    end: int  # where it ends: later than ``line`` if a quoted field spans lines
    cells: list[str] | None  # None: the csv module could not parse it


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = OS_ERRORS.get(exc.errno or 0, exc.strerror or exc.__class__.__name__)
        raise MemberFileError(f"Impossible de lire le fichier {path} : {reason}.") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise MemberFileError(
            f"Le fichier n'est pas encodé en UTF-8 (premier caractère illisible ligne {line}). "
            "Enregistrez-le au format « CSV UTF-8 »."
        ) from None
    if "\x00" in text:
        raise MemberFileError("Le fichier contient des caractères nuls : est-ce bien un fichier CSV ?")
    return text


def _records(text: str, delimiter: str) -> Iterator[_Record]:
    """The non-blank CSV records, with the physical lines each spans."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    end = 0
    while True:
        line = end + 1
        try:
            cells: list[str] | None = next(reader)
        except StopIteration:
            return
        except csv.Error:
            cells = None
        end = reader.line_num
        if cells is not None and all(not cell.strip() for cell in cells):
            continue
        yield _Record(line, end, cells)


def _open_csv(text: str) -> tuple[Iterator[_Record], list[str]]:
    """The data records after a valid header, and the column order the header gives.

    Raises a French ``MemberFileError`` for a missing or wrong header; the message
    never quotes the header's cells (without a header, line 1 is a member's data).
    """
    tried: list[_Record] = []
    for delimiter in (",", ";"):
        records = _records(text, delimiter)
        header = next(records, None)
        if header is None:
            raise MemberFileError("Le fichier est vide : la première ligne doit être l'en-tête.")
        names = [cell.strip().lower() for cell in header.cells or []]
        if header.line == 1 and sorted(names) == sorted(COLUMNS):
            return records, names
        tried.append(header)
    raise MemberFileError(_header_problem(tried[0]))


def _header_problem(first: _Record) -> str:
    wanted = ",".join(COLUMNS)
    names = [cell.strip().lower() for cell in first.cells or []]
    if first.line != 1:
        problem = "la première ligne est vide"
    elif any(ch.isdigit() for ch in "".join(names)):
        problem = "la première ligne contient des chiffres : ce sont des données, pas l'en-tête"
    else:
        details = []
        missing = [column for column in COLUMNS if column not in names]
        if missing:
            details.append("colonne(s) manquante(s) : " + ", ".join(missing))
        unknown = sum(1 for name in names if name not in COLUMNS)
        if unknown:
            details.append(f"{unknown} colonne(s) inconnue(s)")
        duplicated = sorted({name for name in names if name in COLUMNS and names.count(name) > 1})
        if duplicated:
            details.append("colonne(s) en double : " + ", ".join(duplicated))
        problem = " ; ".join(details) or "en-tête illisible"
    return (
        f"En-tête incorrect ({problem}). Rien n'a été importé. "
        f"La première ligne doit être exactement : {wanted} (colonnes dans cet ordre ou un autre)."
    )


def _validate(records: Iterable[_Record], order: list[str], key: str) -> Iterator[_Row | tuple[int, str]]:
    """Each record as a checked ``_Row``, or as ``(line, French reason)``."""
    seen: dict[str, int] = {}
    for record in records:
        line, cells = record.line, record.cells
        if cells is None:
            yield line, "ligne CSV mal formée (guillemets ?)"
            continue
        if record.end > line:
            # A quote left open swallows the following lines: say which ones.
            yield (
                line,
                f"guillemet non fermé ou retour à la ligne dans un champ (lignes {line} à {record.end})",
            )
            continue
        if len(cells) != len(order):
            yield (
                line,
                f"{len(cells)} colonnes au lieu de {len(order)} (vérifiez les virgules et les guillemets)",
            )
            continue
        raw = {column: cell.strip() for column, cell in zip(order, cells, strict=True)}
        problems: list[str] = []
        nir_hash = ""
        birth: BirthMonth | None = None
        for column in COLUMNS:
            value, limit = raw[column], MAX_LENGTHS.get(column)
            if not value:
                if column not in OPTIONAL_COLUMNS:
                    problems.append(f"{LABELS[column]} manquant(e)")
            elif (position := forbidden_character_position(value)) is not None:
                problems.append(
                    f"{LABELS[column]} : caractère invisible ou de contrôle interdit (position {position})"
                )
            elif column == "nir":
                try:
                    nir_hash = hash_nir(value, key)
                    birth = BirthMonth.from_nir(normalize_nir(value))
                except InvalidNir as exc:
                    problems.append(f"{LABELS[column]} invalide : {NIR_REASONS.get(exc.code, exc.message)}")
            elif limit is not None and len(value) > limit:
                problems.append(f"{LABELS[column]} trop long(ue) ({limit} caractères au plus)")
            elif column == "email" and not EMAIL.fullmatch(value):
                problems.append(f"{LABELS[column]} mal formée")
            elif column == "postal_code" and not POSTAL_CODE.fullmatch(value):
                problems.append(f"{LABELS[column]} invalide : 5 chiffres attendus")
        if not problems and nir_hash in seen:
            problems.append(f"même numéro de Sécurité sociale qu'à la ligne {seen[nir_hash]}")
        if problems:
            yield line, " ; ".join(problems)
            continue
        seen[nir_hash] = line
        values: dict[str, str | int | list[str] | None] = {
            column: raw[column] for column in COLUMNS if column != "nir"
        }
        values["email"] = values["email"] or None
        # Only what the "not your birth date" rule of access codes needs, never the NIR.
        values["birth_year2"] = birth.year2 if birth else None
        values["birth_month"] = birth.month if birth else None
        # And the keyed hashes the "not taken from your NIR" rule needs (bot.rules.nir_windows).
        values["nir_window_hashes"] = nir_window_hashes(raw["nir"], key)
        yield _Row(line, nir_hash, values)


def _apply(session: Session, checked: Iterable[_Row | tuple[int, str]]) -> ImportReport:
    """Create or update the members of the good rows; collect the bad ones."""
    report = ImportReport()
    rows: list[_Row] = []
    for item in checked:
        if isinstance(item, _Row):
            rows.append(item)
        else:
            report.errors.append(item)
    existing: dict[str, Member] = {}
    hashes = [row.nir_hash for row in rows]
    for start in range(0, len(hashes), LOOKUP_CHUNK):
        chunk = hashes[start : start + LOOKUP_CHUNK]
        existing.update(
            (m.nir_hash, m) for m in session.scalars(select(Member).where(Member.nir_hash.in_(chunk)))
        )
    for row in rows:
        member = existing.get(row.nir_hash)
        if member is None:
            session.add(Member(nir_hash=row.nir_hash, **row.values))
            report.created += 1
        else:
            for column, value in row.values.items():
                setattr(member, column, value)
            report.updated += 1
    session.flush()
    return report


def _audit(session: Session, kind: AuditKind, report: ImportReport) -> None:
    counts = {"created": report.created, "updated": report.updated, "skipped": report.skipped}
    session.add(AuditEvent(kind=kind, detail=counts))
    log.info("%s: %s", kind, counts)
