"""Fictitious members for the benchmarks: NIRs valid by checksum, never a real person's.

Each NIR is built from its index (sex, year, month, Paris, a commune and an order
number that change with the index), with the key python-stdnum computes, so the
member database accepts it and the bot finds it. Names are ``Banc<i>``, emails use
the reserved ``.example`` domain; one member in ``LETTER_EVERY`` has no email, so
the letter path is measured too.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stdnum.fr import nir as stdnum_nir

from bot.db.engine import make_engine, session_scope
from bot.db.enums import AuditKind
from bot.members.importer import COLUMNS, ImportReport, import_records

LETTER_EVERY = 5  # members without an email address: the reset goes by post
MAX_MEMBERS = 990 * 999


@dataclass(frozen=True)
class FakeMember:
    """One generated member: the NIR as a member types it, and how the reset will go."""

    index: int
    nir: str  # 15 digits, grouped by spaces as on a carte Vitale
    has_email: bool

    def record(self) -> dict[str, str]:
        """The member-file row (``bot.members.importer.COLUMNS``)."""
        return {
            "nir": self.nir.replace(" ", ""),
            "first_name": f"Banc{self.index}",
            "last_name": "Essai",
            "email": f"banc{self.index}@adherents.example" if self.has_email else "",
            "street": f"{1 + self.index % 200} rue du Banc d'essai",
            "postal_code": "75011",
            "city": "Paris",
        }


def generated_nir(index: int) -> str:
    """The ``index``-th NIR (0 ≤ index < MAX_MEMBERS): distinct, valid by checksum, spaced."""
    if not 0 <= index < MAX_MEMBERS:
        raise ValueError(f"index out of range: {index}")
    sex = 1 + index % 2
    year = 50 + index % 40
    month = 1 + index % 12
    commune = 1 + index // 999
    order = 1 + index % 999
    body = f"{sex}{year:02d}{month:02d}75{commune:03d}{order:03d}"
    number = body + stdnum_nir.calc_check_digits(body)
    return " ".join(
        [number[0], number[1:3], number[3:5], number[5:7], number[7:10], number[10:13], number[13:]]
    )


def generate(count: int, start: int = 0) -> list[FakeMember]:
    """``count`` members from index ``start`` on."""
    return [FakeMember(i, generated_nir(i), i % LETTER_EVERY != 0) for i in range(start, start + count)]


def write_csv(members: list[FakeMember], path: Path) -> Path:
    """The members as ACS's file, for ``./sesame members import``."""
    lines = [",".join(COLUMNS)]
    lines += [",".join(member.record()[column] for column in COLUMNS) for member in members]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def import_into(database_url: str, nir_hash_key: str, members: list[FakeMember]) -> ImportReport:
    """Create the members in the member database, hashed with ``nir_hash_key`` (committed)."""
    engine = make_engine(database_url)
    try:
        with session_scope(engine) as session:
            return import_records(
                session, [member.record() for member in members], nir_hash_key, AuditKind.MEMBERS_IMPORTED
            )
    finally:
        engine.dispose()
