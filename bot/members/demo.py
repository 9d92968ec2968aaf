"""Demo members for ``make run`` and for testers: fictitious, always the same.

The NIRs come from a fixed seed so that the README can list them and a tester can
type them; they are valid by checksum (python-stdnum's key), so the bot accepts
them like real ones, and are random otherwise — not anyone we know of. Email
addresses use the reserved ``.example`` domain (RFC 2606): even with a real SMTP
server configured, a demo email can never reach a real mailbox. Two members have
no email, to try the postal-letter path.
"""

from __future__ import annotations

import random
import unicodedata

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum.fr import nir as stdnum_nir

from bot.db.enums import AuditKind
from bot.db.models import Member
from bot.members.importer import ImportReport, import_records
from bot.members.lookup import hash_nir

SEED = 20241127
EMAIL_DOMAIN = "adherents.example"

# (sex digit, first name, last name, birth département, has email, street, postal code, city)
PEOPLE: tuple[tuple[str, str, str, str, bool, str, str, str], ...] = (
    ("2", "Camille", "Moreau", "75", True, "12 rue des Lilas", "75011", "Paris"),
    ("1", "Julien", "Lefèvre", "69", True, "4 place des Tilleuls", "69003", "Lyon"),
    ("2", "Inès", "Benali", "13", True, "27 boulevard des Platanes", "13005", "Marseille"),
    ("1", "Antoine", "Casanova", "2A", True, "3 montée des Oliviers", "20000", "Ajaccio"),
    ("2", "Léa", "Garnier", "59", False, "8 allée des Peupliers", "59000", "Lille"),
    ("1", "Karim", "Fontaine", "33", False, "15 impasse des Acacias", "33000", "Bordeaux"),
)


def _nir(rng: random.Random, sex: str, department: str) -> str:
    body = f"{sex}{rng.randint(45, 99):02d}{rng.randint(1, 12):02d}{department}"
    body += f"{rng.randint(1, 990):03d}{rng.randint(1, 999):03d}"
    return body + stdnum_nir.calc_check_digits(body)


def _email(first_name: str, last_name: str) -> str:
    """``prenom.nom@adherents.example``, accents dropped (addresses are ASCII here)."""
    plain = unicodedata.normalize("NFKD", f"{first_name}.{last_name}".lower())
    return plain.encode("ascii", "ignore").decode("ascii") + "@" + EMAIL_DOMAIN


def demo_rows() -> list[dict[str, str]]:
    """The demo members as rows with the CSV import's columns, the same on every run."""
    rng = random.Random(SEED)  # noqa: S311 - reproducible demo data, not a secret
    rows = []
    for sex, first, last, department, has_email, street, postal_code, city in PEOPLE:
        row = {
            "nir": _nir(rng, sex, department),
            "first_name": first,
            "last_name": last,
            "email": _email(first, last) if has_email else "",
            "street": street,
            "postal_code": postal_code,
            "city": city,
        }
        rows.append(row)
    return rows


class RealMembersPresent(Exception):
    """The database holds members who are not the demo ones: it is not a demo database."""

    def __init__(self, count: int) -> None:
        super().__init__(f"{count} real members")
        self.count = count


def seed_demo(session: Session, key: str) -> ImportReport:
    """Create the demo members, or bring them back to their demo state (idempotent).

    Refused (``RealMembersPresent``) on a database that already holds other members:
    demo members, whose NIRs the README publishes, have no place next to real ones.
    """
    demo_hashes = {hash_nir(row["nir"], key) for row in demo_rows()}
    others = session.scalar(
        select(func.count()).select_from(Member).where(Member.nir_hash.not_in(demo_hashes))
    )
    if others:
        raise RealMembersPresent(others)
    return import_records(session, demo_rows(), key, kind=AuditKind.DEMO_MEMBERS_SEEDED)


def spaced_nir(nir: str) -> str:
    """``1 85 03 75 123 456 78``: how a NIR is printed on a carte Vitale."""
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]))


def demo_table_markdown() -> str:
    """The demo members as a Markdown table, for the README."""
    lines = [
        "| N° de Sécurité sociale | Adhérent | E-mail | Adresse |",
        "|---|---|---|---|",
    ]
    for row in demo_rows():
        email = f"`{row['email']}`" if row["email"] else "— (courrier postal)"
        address = f"{row['street']}, {row['postal_code']} {row['city']}"
        lines.append(
            f"| `{spaced_nir(row['nir'])}` | {row['first_name']} {row['last_name']} | {email} | {address} |"
        )
    return "\n".join(lines) + "\n"
