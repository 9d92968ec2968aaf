"""The agents' audit log in French, for the supervisors' journal.

The log stores codes (``member_lookup``, ``resultat: bad_month``, ``deja_en_route``):
stable words that programs and exports rely on. A supervisor reads them here, in one
table: each action, each detail's name and each known value in French. A code this
table does not know (a row written by an older or newer version) is shown as stored,
never dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.agents.email_check import DIFFERS, MATCHES
from bot.db.enums import AgentAction
from bot.dialogue.intents import REGISTRY
from bot.members.importer import NIR_REASONS
from bot.resets.wording import NO_EMAIL_CODE

ACTIONS: Mapping[str, str] = {
    AgentAction.SIGN_IN: "Connexion",
    AgentAction.SIGN_IN_FAILED: "Connexion refusée",
    AgentAction.SIGN_IN_LIMITED: "Connexion bloquée (trop d'échecs)",
    AgentAction.SIGN_OUT: "Déconnexion",
    AgentAction.SESSION_EXPIRED: "Session expirée",
    AgentAction.ASSISTANT_QUESTION: "Question à l'assistant",
    AgentAction.MEMBER_LOOKUP: "Dossier d'adhérent consulté",
    AgentAction.RESET_ON_BEHALF: "Nouveau code demandé pour l'adhérent",
    AgentAction.EMAIL_CHECKED: "Adresse e-mail lue par l'appelant vérifiée",
    AgentAction.LOOKUP_LIMIT_REACHED: "Limite de dossiers par heure atteinte",
    AgentAction.AUDIT_READ: "Journal consulté",
    AgentAction.AGENT_ADDED: "Compte de conseiller créé",
    AgentAction.AGENT_DISABLED: "Compte de conseiller désactivé",
    AgentAction.AGENT_PASSWORD_RESET: "Mot de passe d'un conseiller réinitialisé",
    AgentAction.AGENT_UNLOCKED: "Compte de conseiller débloqué",
    AgentAction.AVAILABILITY_CHANGED: "Disponibilité changée",
    AgentAction.HANDOFF_TAKEN: "Discussion prise",
    AgentAction.HANDOFF_TRANSFERRED: "Discussion transférée",
    AgentAction.HANDOFF_CLOSED: "Discussion terminée",
    AgentAction.HANDOFF_MESSAGE: "Message à l'adhérent",
    AgentAction.HANDOFF_READ: "Conversation ou numéro de rappel lu",
    AgentAction.CALLBACK_DONE: "Rappel fait",
    AgentAction.CALLBACK_UNREACHABLE: "Rappel : adhérent injoignable",
    AgentAction.MODEL_TRAINED: "Modèle entraîné",
    AgentAction.MODEL_LOADED: "Modèle mis en service",
    AgentAction.MODEL_ROLLED_BACK: "Retour au modèle précédent",
    AgentAction.MODEL_REFUSED: "Nouveau modèle refusé : moins bon que le modèle en service",
    AgentAction.MODEL_FORCED: "Modèle mis en service malgré la comparaison (raison écrite)",
    AgentAction.REVIEW_DECIDED: "Message de la boîte de revue traité",
    AgentAction.REVIEW_FLAGGED: "Conversation signalée à l'atelier",
    AgentAction.TRAINING_DATA_CHANGED: "Données d'entraînement modifiées",
    AgentAction.TEST_STORY_SAVED: "Histoire de test enregistrée",
    AgentAction.TEST_STORY_EDITED: "Histoire de test modifiée",
    AgentAction.TEST_STORY_DELETED: "Histoire de test supprimée",
    AgentAction.DATA_CHECK_STARTED: "Vérification des données lancée",
    AgentAction.REPORT_STARTED: "Mesure du modèle lancée",
    AgentAction.PRIVACY_PURGE: "Purge des données arrivées au terme de leur conservation",
    AgentAction.PRIVACY_EXPORT: "Données d'un adhérent exportées (droit d'accès)",
    AgentAction.PRIVACY_ERASE: "Données d'un adhérent effacées (droit à l'effacement)",
}

DETAIL_NAMES: Mapping[str, str] = {
    "resultat": "résultat",
    "intention": "intention",
    "canal": "canal",
    "raison": "raison",
    "disponible": "disponible",
    "prise_en_charge": "prise en charge n°",
    "vers": "vers",
    "agent": "conseiller",
    "role": "rôle",
    "filtre": "filtre",
    "modele": "modèle",
    "precedent": "précédent",
    "tache": "tâche n°",
    "par_heure": "par heure",
    "echecs_oublies": "échecs effacés",
    "email_complet": "e-mail en entier",
    "conversation": "conversation",
    "file": "fichier",
    "turns_removed": "passages retirés",
    "intents_changed": "questions choisies",
    "client": "poste (empreinte)",
    "essai": "essai à blanc",
    "total": "enregistrements effacés",
    "refuse_par_la_comparaison": "refusé par la comparaison",
    "tolerance": "tolérance",
    "phrases_de_controle": "phrases de contrôle (avant -> après)",
    "phrases_mal_tapees": "phrases mal tapées (avant -> après)",
    "histoires_de_test": "histoires de test (avant -> après)",
}

# The results of a look-up or a request on the member's behalf (bot/web/routes/console_members.py).
RESULTS: Mapping[str, str] = {
    "trouve": "dossier trouvé",
    "unknown_member": "aucun adhérent avec ce numéro",
    NO_EMAIL_CODE: "pas d'adresse e-mail connue",
    "email_en_file": "e-mail en file d'envoi",
    "courrier_demande": "courrier demandé",
    "deja_en_route": "un code est déjà en route",
    "limite_atteinte": "limite de demandes atteinte",
    MATCHES: "l'adresse correspond",
    DIFFERS: "l'adresse ne correspond pas",
    **{code: f"numéro refusé : {reason}" for code, reason in NIR_REASONS.items()},
}

VALUES: Mapping[str, Mapping[str, str]] = {
    "resultat": RESULTS,
    "raison": {
        "inconnu": "identifiant inconnu",
        "desactive": "compte désactivé",
        "mot_de_passe": "mauvais mot de passe",
    },
    "canal": {"email": "e-mail", "courrier": "courrier", "letter": "courrier"},
    "intention": REGISTRY.staff_labels,
}


def action_label(action: str) -> str:
    """« Dossier d'adhérent consulté » for ``member_lookup``; an unknown code as stored."""
    return ACTIONS.get(action, action)


def _value(name: str, value: Any) -> str:
    if isinstance(value, bool):
        return "oui" if value else "non"
    if value is None or value == "":
        return "—"
    return VALUES.get(name, {}).get(str(value), str(value))


def detail_text(detail: Mapping[str, Any]) -> str:
    """« résultat : numéro refusé : mois de naissance impossible, e-mail en entier : non »."""
    return ", ".join(
        f"{DETAIL_NAMES.get(name, name)} : {_value(name, value)}" for name, value in detail.items()
    )
