"""« Pourquoi ? », « ça veut dire quoi ? » right after an answer, and messages in another language.

A short question that only makes sense in context (intent ``ask_more``) asks for
more about the answer the bot just gave. Each question of the help document has
a detailed variant of its answer, named ``<answer>_detail`` in the domain, with
facts from the help document only. The bot events of the last turn carry the
name of the response they came from (Rasa's ``utter_action`` metadata), so the
action (``actions/followup.py``) finds which answer to develop without a slot; when
the last turn was no such answer, the bot asks which topic the member means.

A message in another language gets a French answer saying Sésame answers in
French, with the same topic menu as the fallback (``TOPIC_MENU``): buttons work
whatever language the member reads.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from bot.dialogue.intents import INTENT_LABELS, REGISTRY, TOPIC_MENU, Suggestion

DETAIL_SUFFIX = "_detail"

# Answers of the help-document questions: utter_<intent> for each ``help_document`` intent.
HELP_ANSWERS: frozenset[str] = frozenset(f"utter_{intent}" for intent in REGISTRY.help_document)

# Responses that answer a help-document question under another name (said by
# actions, or a form's own question): the detailed answer of the question they answer.
OTHER_ANSWERS: Mapping[str, str] = {
    "utter_ask_login_problem": "utter_cannot_login_detail",
    "utter_login_problem_unknown": "utter_cannot_login_detail",
    "utter_status_email_pending": "utter_email_not_received_detail",
    "utter_status_email_sent": "utter_email_not_received_detail",
    "utter_status_email_failed": "utter_email_not_received_detail",
    "utter_status_link_used": "utter_email_not_received_detail",
    "utter_status_letter": "utter_postal_letter_detail",
    "utter_reset_letter_queued": "utter_postal_letter_detail",
    "utter_reset_email_queued": "utter_forgot_access_code_detail",
}

# The reset-link answers: their longer version is the general explanation of the four cases.
LINK_ANSWERS = frozenset(
    {
        "utter_link_status_used",
        "utter_link_status_expired",
        "utter_link_status_valid",
        "utter_link_status_pending",
        "utter_link_status_letter",
    }
)
LINK_HELP = "utter_reset_link_help"

WHICH_TOPIC = (
    "Je veux bien vous en dire plus, mais sur quel sujet ? Choisissez-le ci-dessous, "
    "ou posez votre question en quelques mots :"
)
OTHER_LANGUAGE = (
    "Je suis Sésame, l'assistant d'ACS, et je ne réponds qu'en français. "
    "Choisissez un sujet ci-dessous, ou écrivez votre question en français, en quelques mots :"
)


def detail_of(response: str) -> str | None:
    """The longer answer for ``response``, or None when it is not a help answer."""
    if response in HELP_ANSWERS:
        return response + DETAIL_SUFFIX
    if response in OTHER_ANSWERS:
        return OTHER_ANSWERS[response]
    return None


def last_turn_responses(events: Sequence[Mapping[str, object]]) -> list[str]:
    """Names of the responses the bot said since the member's previous message, latest first.

    ``events`` is the tracker's event list, ending with the member's current
    message (which is skipped); a bot event without a response name (text from
    an action) is skipped.
    """
    names: list[str] = []
    users_seen = 0
    for event in reversed(events):
        kind = event.get("event")
        if kind == "user":
            users_seen += 1
            if users_seen == 2:
                break
            continue
        if kind == "bot" and users_seen == 1:
            metadata = event.get("metadata")
            name = metadata.get("utter_action") if isinstance(metadata, Mapping) else None
            if isinstance(name, str):
                names.append(name)
    return names


def response_to_develop(last_turn: Iterable[str]) -> str | None:
    """The detailed response for the latest help answer of the last turn, if there was one."""
    for name in last_turn:
        if name in LINK_ANSWERS:
            return LINK_HELP
        detail = detail_of(name)
        if detail is not None:
            return detail
    return None


def topic_menu() -> list[Suggestion]:
    """The topic menu (``menu:`` in intents.yml), as buttons."""
    return [Suggestion(INTENT_LABELS[name], f"/{name}") for name in TOPIC_MENU]
