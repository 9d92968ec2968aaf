"""Two fictitious members (one with an email, one without) for the reset actions' tests.

Their NIRs are generated, valid by checksum; ``UNKNOWN`` is valid but belongs to nobody.
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine

from bot.db.engine import session_scope
from bot.db.models import Member
from bot.members.lookup import hash_nir
from tests.support.nirs import with_key

KEY = "test-key"
WITH_EMAIL = with_key("2950675123045")
WITHOUT_EMAIL = with_key("1880269381077")
UNKNOWN = with_key("1010101010101")


@pytest.fixture
def members(engine: Engine, db_url: str, monkeypatch: pytest.MonkeyPatch) -> Engine:
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("NIR_HASH_KEY", KEY)
    with session_scope(engine) as session:
        for nir, email in [(WITH_EMAIL, "jeanne.dupont@exemple.fr"), (WITHOUT_EMAIL, None)]:
            session.add(
                Member(
                    nir_hash=hash_nir(nir, KEY), first_name="Zoé", last_name="Martin", email=email,
                    street="1 rue de la Paix", postal_code="75002", city="Paris",
                )
            )  # fmt: skip
    return engine
