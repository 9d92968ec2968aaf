"""What the agent reads first when a hand-off reaches them: a French summary and the transcript.

Both are built from the conversation's events as the action server receives them
(``tracker.events``: plain dicts, the form of ``Event.as_dict()``), without Rasa:

- the summary says which topics the member asked about (the intents' labels from
  ``intents.yml``, in order, once each), the steps the bot went through, whether the
  social-security number was checked (yes or no, never the number: only the
  ``member_ref`` slot, a keyed hash, tells it), any new access code requested (read
  from the responses the bot gave: ``utter_reset_…``), and why the member is handed
  over (they asked, or the bot failed to understand twice in a row);
- the transcript is the member's and the bot's messages, ``{"qui": "adherent" |
  "sesame", "texte": …}``, masked as the conversation store masks them (NIRs, codes,
  and the whole message typed while the bot asked for a number or a phone). A button
  the member pressed is shown as its title (« Oui, rappelez-moi »), not as the
  « /affirm » it sent: the title of that button in the bot's previous message, else
  the title the domain's responses give that payload, else the intent's label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any

from ruamel.yaml import YAML

from bot.agents.assistant import RESPONSES_DIR
from bot.db.enums import HandoffReason
from bot.dialogue.intents import OTHER_LABEL, OTHER_PAYLOAD, REGISTRY
from bot.shared.redaction import redact_events

MEMBER = "adherent"
BOT = "sesame"
# Not a topic: the request for a person is the reason, told on its own line.
_NOT_TOPICS = frozenset({"request_human"})

# What the bot's responses say about a new access code (domain/responses/nouveau_code.yml).
RESET_OUTCOMES: Mapping[str, str] = {
    "utter_reset_email_queued": "nouveau code demandé, e-mail de réinitialisation envoyé",
    "utter_reset_letter_queued": "nouveau code demandé, courrier postal en préparation",
    "utter_reset_email_on_its_way": "une demande par e-mail était déjà en cours (rien de nouveau envoyé)",
    "utter_reset_letter_on_its_way": "un courrier était déjà en route (rien de nouveau envoyé)",
    "utter_reset_daily_limit": "limite de demandes du jour atteinte (rien envoyé)",
    "utter_reset_client_limited": "trop de demandes depuis cet appareil (rien envoyé)",
    "utter_lookup_limited": "trop de recherches depuis cet appareil (numéro non vérifié)",
    "utter_lookup_paused": "recherches suspendues pour tous (numéro non vérifié)",
    "utter_reset_unavailable": "service de demande indisponible (rien envoyé)",
}

# Steps the bot took, by the response or action that shows them.
STEPS: Mapping[str, str] = {
    "login_problem_form": "diagnostic « je n'arrive pas à me connecter » commencé",
    "action_answer_login_problem": "cause du problème de connexion trouvée et expliquée",
    "reset_form": "demande de nouveau code commencée",
    "utter_reset_declined": "nouveau code proposé, refusé par l'adhérent",
    "utter_reset_cancelled": "demande de nouveau code annulée",
    "utter_nir_unknown": "un numéro de Sécurité sociale donné n'a pas été trouvé",
    "utter_nir_attempts_exhausted": "trop de numéros refusés : plus de recherche dans la conversation",
    "action_reset_status": "suivi d'un e-mail ou d'un courrier demandé",
    "action_reset_link_help": "aide sur le lien de l'e-mail de réinitialisation",
    "utter_never_share_code": "l'adhérent a tapé un code d'accès (masqué), averti de ne jamais le partager",
}

LOGIN_PROBLEMS: Mapping[str, str] = {
    "captcha": "CAPTCHA après plusieurs essais",
    "code_refuse": "code personnalisé refusé",
    "premiere_connexion": "première connexion",
    "pas_de_code": "pas de code d'accès",
}

REASONS: Mapping[HandoffReason, str] = {
    HandoffReason.ASKED: "l'adhérent a demandé à parler à un conseiller",
    HandoffReason.BOT_FAILED: "Sésame n'a pas compris l'adhérent deux fois de suite",
}


def _once(items: Iterable[str]) -> list[str]:
    seen: list[str] = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen


def topics(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The labels of the member's questions, in order, each once."""
    labels = REGISTRY.labels
    names = (
        str(((event.get("parse_data") or {}).get("intent") or {}).get("name") or "")
        for event in events
        if event.get("event") == "user"
    )
    return _once(labels[name] for name in names if name in labels and name not in _NOT_TOPICS)


def _said(event: Mapping[str, Any]) -> str | None:
    metadata = event.get("metadata") or {}
    name = metadata.get("utter_action") if isinstance(metadata, Mapping) else None
    return name if isinstance(name, str) else None


def steps(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The steps of the conversation, in order, each once."""
    found: list[str] = []
    for event in events:
        kind = event.get("event")
        name = None
        if kind == "action" or kind == "active_loop":
            name = event.get("name")
        elif kind == "bot":
            name = _said(event)
        elif kind == "slot" and event.get("name") == "login_problem" and event.get("value"):
            problem = LOGIN_PROBLEMS.get(str(event["value"]), str(event["value"]))
            found.append(f"problème de connexion : {problem}")
        if isinstance(name, str) and name in STEPS:
            found.append(STEPS[name])
    return _once(found)


def resets(events: Iterable[Mapping[str, Any]]) -> list[str]:
    """What the bot said about a new access code, in order, each once."""
    said = (_said(event) for event in events if event.get("event") == "bot")
    return _once(RESET_OUTCOMES[name] for name in said if name is not None and name in RESET_OUTCOMES)


def nir_checked(events: Iterable[Mapping[str, Any]]) -> bool:
    """Whether the member's NIR was verified and found (``member_ref`` set) in the conversation."""
    return any(
        event.get("event") == "slot" and event.get("name") == "member_ref" and bool(event.get("value"))
        for event in events
    )


def _conversation(events: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The events since the latest restart (a restart forgets everything before it)."""
    start = 0
    for index, event in enumerate(events):
        if event.get("event") == "restart":
            start = index + 1
    return list(events[start:])


def summary(events: Sequence[Mapping[str, Any]], reason: HandoffReason) -> str:
    """The French summary the agent reads first: one fact per line."""
    conversation = _conversation(events)
    asked = topics(conversation)
    done = steps(conversation)
    codes = resets(conversation)
    lines = [
        f"Motif : {REASONS[reason]}.",
        "Sujets abordés : " + ("; ".join(asked) if asked else "aucun sujet reconnu") + ".",
        "Étapes faites : " + ("; ".join(done) if done else "aucune") + ".",
        "Numéro de Sécurité sociale vérifié : " + ("oui" if nir_checked(conversation) else "non") + ".",
        "Nouveau code d'accès : " + ("; ".join(codes) if codes else "aucune demande") + ".",
    ]
    return "\n".join(lines)


def one_line(text: str, width: int = 100) -> str:
    """A summary on one line (``./sesame handoffs list``): its lines joined, cut at ``width``."""
    flat = " | ".join(line.strip() for line in text.splitlines() if line.strip())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


@lru_cache(maxsize=1)
def button_titles() -> Mapping[str, str]:
    """Every button payload of the domain's responses and its title (the first one found)."""
    titles: dict[str, str] = {}
    for path in sorted(RESPONSES_DIR.glob("*.yml")):
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8")) or {}
        for variants in (data.get("responses") or {}).values():
            for variant in variants or []:
                for button in (variant.get("buttons") if isinstance(variant, dict) else None) or []:
                    payload, title = button.get("payload"), button.get("title")
                    if isinstance(payload, str) and isinstance(title, str):
                        titles.setdefault(payload, title)
    return titles


def _buttons_of(event: Mapping[str, Any]) -> dict[str, str]:
    data = event.get("data") or {}
    buttons = data.get("buttons") if isinstance(data, Mapping) else None
    return {
        str(b["payload"]): str(b["title"])
        for b in buttons or []
        if isinstance(b, Mapping) and isinstance(b.get("payload"), str) and isinstance(b.get("title"), str)
    }


def pressed(payload: str, offered: Mapping[str, str]) -> str:
    """What the member read on the button that sent ``payload`` (« /affirm » → « Oui, rappelez-moi »)."""
    if payload in offered:
        return offered[payload]
    if payload in button_titles():
        return button_titles()[payload]
    if payload == OTHER_PAYLOAD:  # the last « Vouliez-vous dire… » button, built by the code
        return OTHER_LABEL
    return REGISTRY.labels.get(payload[1:], payload)


def transcript(events: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """The member's and the bot's messages, masked as stored, oldest first."""
    lines: list[dict[str, str]] = []
    offered: dict[str, str] = {}  # the buttons of the bot's messages since the member's last one
    for event in redact_events(_conversation(events)):
        kind = event.get("event")
        text = event.get("text")
        if kind == "bot":
            offered = _buttons_of(event) or offered
        if kind not in ("user", "bot") or not isinstance(text, str) or not text.strip():
            continue
        if kind == "user":
            if text.startswith("/") and text[1:] in REGISTRY.button_intents:
                text = pressed(text, offered)
            offered = {}
        lines.append({"qui": MEMBER if kind == "user" else BOT, "texte": text})
    return lines
