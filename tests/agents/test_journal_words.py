"""The supervisors' journal reads in French (issue 21: it showed ``member_lookup``, ``bad_month``)."""

from __future__ import annotations

import pytest

from bot.agents.journal_words import ACTIONS, action_label, detail_text
from bot.db.enums import AgentAction
from bot.rules.nir import InvalidNir, normalize_nir


@pytest.mark.parametrize("action", list(AgentAction))
def test_every_action_the_log_records_has_a_french_label(action: AgentAction) -> None:
    assert action.value in ACTIONS
    assert action_label(action.value) != action.value and "_" not in action_label(action.value)


@pytest.mark.parametrize(
    ("detail", "shown"),
    [
        ({"resultat": "trouve", "email_complet": False}, "résultat : dossier trouvé, e-mail en entier : non"),
        ({"resultat": "bad_month"}, "résultat : numéro refusé : mois de naissance impossible"),
        (
            {"canal": "courrier", "resultat": "deja_en_route"},
            "canal : courrier, résultat : un code est déjà en route",
        ),
        ({"intention": "out_of_scope"}, "intention : Hors sujet"),
        ({"raison": "mot_de_passe"}, "raison : mauvais mot de passe"),
        ({"disponible": True}, "disponible : oui"),
        ({"prise_en_charge": 12}, "prise en charge n° : 12"),
        ({}, ""),
    ],
)
def test_details_are_named_and_valued_in_french(detail: dict[str, object], shown: str) -> None:
    assert detail_text(detail) == shown


def test_every_refusal_code_of_a_number_reads_in_french() -> None:
    """Each code ``InvalidNir`` can give lands in the journal as « numéro refusé : … »."""
    for typed in ("", "1", "1" * 16, "1850775A23456", "1850775123456", "185077512345600", "985077512345678",
                  "185137512345678", "185130012345678"):  # fmt: skip
        try:
            normalize_nir(typed)
        except InvalidNir as refused:
            assert detail_text({"resultat": refused.code}).startswith("résultat : numéro refusé : "), (
                refused.code
            )


def test_a_code_this_version_does_not_know_is_shown_as_stored() -> None:
    assert action_label("future_action") == "future_action"
    assert detail_text({"nouveau": "valeur_brute", "resultat": "autre_code"}) == (
        "nouveau : valeur_brute, résultat : autre_code"
    )
