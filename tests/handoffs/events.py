"""Conversations as the action server receives them (``tracker.events``), for the hand-off tests."""

from __future__ import annotations

from typing import Any


def user(text: str, intent: str, client: str = "web:abc") -> dict[str, Any]:
    return {
        "event": "user",
        "text": text,
        "parse_data": {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": []},
        "metadata": {"client": client},
    }


def bot(text: str, response: str | None = None) -> dict[str, Any]:
    return {"event": "bot", "text": text, "metadata": {"utter_action": response} if response else {}}


def slot(name: str, value: Any) -> dict[str, Any]:
    return {"event": "slot", "name": name, "value": value}


def action(name: str) -> dict[str, Any]:
    return {"event": "action", "name": name}


NIR = "2 95 06 75 123 045 57"

# A member who forgot their code, gave their NIR, got an email, then asked for a person.
RESET_THEN_PERSON: list[dict[str, Any]] = [
    action("action_session_start"),
    user("j'ai oublié mon code", "forgot_access_code"),
    bot("Pas de panique…", "utter_forgot_access_code"),
    action("reset_form"),
    {"event": "active_loop", "name": "reset_form"},
    slot("requested_slot", "reset_wanted"),
    bot("Je lance la demande ?", "utter_ask_reset_wanted"),
    user("oui", "affirm"),
    slot("reset_wanted", True),
    slot("requested_slot", "nir"),
    bot("Votre numéro de Sécurité sociale ?", "utter_ask_nir"),
    user(f"c'est le {NIR}", "provide_nir"),
    slot("member_ref", "a1b2c3"),
    slot("requested_slot", "reset_confirmed"),
    bot("Je l'envoie à j•••@e•••.fr ?", "utter_ask_reset_confirmed_email"),
    user("oui", "affirm"),
    {"event": "active_loop", "name": None},
    action("action_submit_reset"),
    bot("C'est fait : un e-mail part vers j•••@e•••.fr.", "utter_reset_email_queued"),
    user("comment je me connecte ensuite ?", "how_to_login"),
    bot("Rendez-vous sur…", "utter_how_to_login"),
    user("mon code 482913 marche pas", "share_access_code"),
    bot("Ne partagez jamais votre code.", "utter_never_share_code"),
    user("j'ai oublié mon code", "forgot_access_code"),
    user("je veux parler à un conseiller", "request_human"),
]
