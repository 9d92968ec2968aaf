"""Export the postal letters to print: one CSV row per member, with a fresh access code.

A member without an email gets their new access code by post. The code is drawn
at export time, not when the letter was requested, so that it exists in clear
only in the CSV handed to the printer: the database keeps its Argon2 hash. The
rows are written and the letters marked exported in one transaction, and the
output is flushed before the commit: if the export fails, nothing is marked, the
members keep their old code, and the operator is told to discard the partial CSV.

A member with several letters waiting gets one row and one code (a second code
would make the first letter useless).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import secrets
from collections.abc import Callable
from typing import TextIO

from argon2 import PasswordHasher
from sqlalchemy import Engine, select

from bot.db.engine import session_scope
from bot.db.enums import AuditKind
from bot.db.models import AuditEvent, Member, PostalLetter, ResetRequest, utcnow
from bot.rules.access_code import ACCESS_CODE_LENGTH, BirthMonth, guessable_reason
from bot.rules.nir_windows import taken_from_nir

# A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV
# injection"): such a cell gets a leading apostrophe, which shows as nothing.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

HEADER = ("nom", "prenom", "adresse", "code_postal", "ville", "code_acces", "date_limite_arrivee")


def new_access_code(
    birth: BirthMonth | None = None, taken_from_nir: Callable[[str], bool] | None = None
) -> str:
    """A random code of ``ACCESS_CODE_LENGTH`` digits (leading zeros kept) that the
    rules would accept from the member: never an easy one to guess, never six
    consecutive digits of the member's NIR (``bot.rules.nir_windows``)."""
    while True:
        code = f"{secrets.randbelow(10**ACCESS_CODE_LENGTH):0{ACCESS_CODE_LENGTH}d}"
        if guessable_reason(code, birth, taken_from_nir) is None:
            return code


def neutralise_formula(cell: str) -> str:
    """``cell`` as text a spreadsheet will display, never evaluate."""
    return "'" + cell if cell.startswith(FORMULA_STARTS) else cell


def export_letters(
    engine: Engine,
    out: TextIO,
    now: dt.datetime | None = None,
    hasher: PasswordHasher | None = None,
    nir_key: str | None = None,
) -> int:
    """Write every letter not yet exported as CSV to ``out``; returns the number of rows.

    Nothing is written when there is nothing to export. ``date_limite_arrivee`` is
    the date (ISO 8601) by which the letter should reach the member.
    """
    now = now or utcnow()
    hasher = hasher or PasswordHasher()
    with session_scope(engine) as session:
        waiting_letters = session.execute(
            select(PostalLetter, ResetRequest.member_id)
            .join(PostalLetter.reset_request)
            .where(PostalLetter.exported_at.is_(None))
            .order_by(ResetRequest.member_id, PostalLetter.created_at, PostalLetter.id)
            .with_for_update(skip_locked=True, of=PostalLetter)
        ).all()
        by_member: dict[int, list[PostalLetter]] = {}
        for letter, member_id in waiting_letters:
            by_member.setdefault(member_id, []).append(letter)
        if not by_member:
            return 0
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for member_id, waiting in by_member.items():
            member = session.get_one(Member, member_id)
            birth = (
                BirthMonth(member.birth_year2, member.birth_month)
                if member.birth_year2 is not None and member.birth_month is not None
                else None
            )
            from_nir = (
                None
                if nir_key is None
                else functools.partial(taken_from_nir, stored=member.nir_window_hashes, key=nir_key)
            )
            code = new_access_code(birth, from_nir)
            # Pending until the member first uses it: the current code keeps working
            # meanwhile (bot.members.access), so nobody is locked out by a letter.
            member.pending_access_code_hash = hasher.hash(code)
            expected_by = max(letter.expected_by for letter in waiting)
            writer.writerow(
                [
                    neutralise_formula(cell)
                    for cell in (
                        member.last_name,
                        member.first_name,
                        member.street,
                        member.postal_code,
                        member.city,
                        code,
                        expected_by.isoformat(),
                    )
                ]
            )
            for letter in waiting:
                letter.exported_at = now
            session.add(
                AuditEvent(
                    kind=AuditKind.RESET_LETTER_EXPORTED,
                    member_id=member_id,
                    detail={"letters": [letter.id for letter in waiting]},
                )
            )
        out.flush()  # a write error must come before the commit, not after
        return len(by_member)
