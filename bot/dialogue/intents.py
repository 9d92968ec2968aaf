"""French wording of each intent, for the "Vouliez-vous dire…" fallback buttons.

Trainers may reword these labels; each must read as something the member could
have meant, in the member's own voice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

INTENT_LABELS: Mapping[str, str] = {
    "how_to_login": "Comment me connecter à mon Espace Adhérent",
    "where_is_access_code": "Où trouver mon code d'accès",
    "forgot_access_code": "J'ai oublié mon code d'accès",
    "first_login": "C'est ma première connexion",
    "too_many_attempts": "On me demande un CAPTCHA après plusieurs essais",
    "personalized_code_rejected": "Mon code personnalisé est refusé",
    "cannot_login": "Je n'arrive pas à me connecter",
    "access_code_rules": "Le format du code d'accès (6 chiffres)",
    "email_not_received": "Je n'ai pas reçu l'e-mail de réinitialisation",
    "postal_letter": "Le courrier avec mon code d'accès",
    "terms_of_use": "Les Conditions Générales d'Utilisation",
    "ask_website": "L'adresse du site",
    "request_human": "Parler à un conseiller",
    "bot_challenge": "Savoir si je parle à un robot",
}

OTHER_LABEL = "Autre chose"
OTHER_PAYLOAD = "/out_of_scope"


@dataclass(frozen=True)
class Suggestion:
    """A button offered to the member: what they read and the intent it triggers."""

    title: str
    payload: str


def suggestions(
    ranking: Iterable[Mapping[str, object]],
    limit: int = 2,
    min_confidence: float = 0.1,
) -> list[Suggestion]:
    """The best guesses of the classifier that we know how to phrase, best first.

    ``ranking`` is Rasa's ``intent_ranking`` (dicts with ``name`` and
    ``confidence``). Intents without a label (greetings, yes/no, the fallback
    itself) are skipped: offering "Vouliez-vous dire : oui ?" helps nobody.
    """
    picked: list[Suggestion] = []
    for entry in ranking:
        name = str(entry.get("name", ""))
        confidence = float(entry.get("confidence") or 0.0)  # type: ignore[arg-type]
        if name not in INTENT_LABELS or confidence < min_confidence:
            continue
        picked.append(Suggestion(INTENT_LABELS[name], f"/{name}"))
        if len(picked) == limit:
            break
    picked.append(Suggestion(OTHER_LABEL, OTHER_PAYLOAD))
    return picked


GUESS_QUESTION = "Je ne suis pas sûr d'avoir bien compris. Vouliez-vous dire :"
MENU_QUESTION = (
    "Je n'ai pas compris votre message. Voici les sujets sur lesquels je peux vous aider, "
    "ou posez votre question en quelques mots :"
)

# What the bot knows how to do, offered when it has no sensible guess (empty
# message, emoji, another language, text pasted by mistake).
TOPIC_MENU: tuple[str, ...] = (
    "cannot_login",
    "forgot_access_code",
    "first_login",
    "where_is_access_code",
    "request_human",
)


@dataclass(frozen=True)
class Clarification:
    """The first stage of the fallback: a question and the buttons that answer it."""

    text: str
    buttons: list[Suggestion]


def clarification(ranking: Iterable[Mapping[str, object]]) -> Clarification:
    """Offer the classifier's guesses, or the topic menu when it has none worth offering."""
    guesses = suggestions(ranking)
    if len(guesses) > 1:
        return Clarification(GUESS_QUESTION, guesses)
    menu = [Suggestion(INTENT_LABELS[name], f"/{name}") for name in TOPIC_MENU]
    return Clarification(MENU_QUESTION, menu)
