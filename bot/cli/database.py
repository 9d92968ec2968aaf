"""What every ``./sesame`` command that uses the member database says when it cannot.

Two situations an operator meets and must be told how to fix, in French, the same
way whichever command they ran: the schema is behind the code (run
``./sesame db upgrade``), or the server does not answer. The URL is shown with its
password hidden.
"""

from __future__ import annotations

import sys

from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from bot.db.migrate import head_revision, is_up_to_date


def shown(url: str) -> str:
    """The database URL as an operator may see it: never its password."""
    return make_url(url).render_as_string(hide_password=True)


def schema_ready(url: str) -> bool:
    """Whether the schema is current; if not, say how to fix it."""
    if is_up_to_date(url):
        return True
    print(
        f"La base {shown(url)} n'est pas à jour (révision attendue : {head_revision()}). "
        "Lancez d'abord : ./sesame db upgrade",
        file=sys.stderr,
    )
    return False


def unreachable(url: str, exc: OperationalError) -> int:
    """Say that the server does not answer; the command's exit status (1)."""
    print(f"Base de données injoignable ({shown(url)}) : {exc.orig or exc}", file=sys.stderr)
    return 1
