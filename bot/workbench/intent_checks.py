"""What a trainer's new question must satisfy before the workbench writes it.

The form of « Nouvelle question » and of an edited intent is checked here, all at
once, so the trainer reads every mistake in one go, in French (``WriterError``):
a technical name and a label that are new, enough distinct examples and held-out
phrases, no phrase that copies another, no number, an answer that links to ACS's site only
and states no phone number, price or delay, buttons that name intents. ``bot.workbench.writers``
writes only what passed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from bot.dialogue.intents import load_registry
from bot.shared.patterns import redact
from bot.training.noise import noisy
from bot.training.robust import SEED as ROBUST_SEED
from bot.training.similarity import (
    MAX_SIMILARITY,
    copy_key,
    nearest_training_examples,
    plain,
    same_ngrams_key,
)
from bot.workbench import consistency
from bot.workbench.training_data import (
    TrainingDataError,
    check_new_examples,
    clean_example,
    holdout_examples,
    secret_refusal,
    training_examples,
)

MIN_EXAMPLES = 10
MIN_HOLDOUT = consistency.MIN_HOLDOUT_PER_INTENT
LABEL_LENGTH = (5, 80)
ANSWER_LENGTH = 1000
BUTTON_TITLE_LENGTH = 60
ACS_HOST = "acs-assurances.cpms.fr"
# The topics a trainer may add a question to: a file of examples and a file of answers each.
TOPICS = {
    "connexion": "La connexion à l'Espace Adhérent",
    "code_acces": "Le code d'accès",
    "premiere_connexion": "La première connexion",
    "blocage": "Le blocage après plusieurs essais",
    "courriers": "L'e-mail et le courrier",
    "lien": "Le lien de l'e-mail",
    "conversation": "La conversation",
}
_URL = re.compile(
    r"(?:https?://|www\.)[^\s\"'<>)]+|\b(?:[a-z0-9-]+\.)+(?:fr|com|net|org|eu|info|io)\b[^\s\"'<>)]*",
    re.IGNORECASE,
)
_PHONE = re.compile(r"\b0\d(?:[ .]?\d{2}){4}\b")
_NAME = re.compile(r"^[a-z][a-z_]*$")


class WriterError(ValueError):
    """The form has mistakes; ``problems`` lists them in French, one sentence each."""

    def __init__(self, problems: Sequence[str]) -> None:
        super().__init__(" ".join(problems))
        self.problems = list(problems)


def name_from_label(label: str) -> str:
    """``"Mon code peut-il commencer par un zéro ?"`` → ``code_peut_commencer_zero``: letters and « _ »."""
    small = {
        "le",
        "la",
        "les",
        "un",
        "une",
        "des",
        "de",
        "du",
        "d",
        "l",
        "mon",
        "ma",
        "mes",
        "je",
        "j",
        "il",
        "elle",
        "on",
        "par",
        "pour",
        "a",
        "au",
        "aux",
        "en",
        "et",
        "est",
        "ce",
        "que",
        "qu",
    }
    words = [w for w in re.sub(r"[^a-z]+", " ", plain(label)).split() if w not in small]
    name = "_".join(words[:5])[:50].strip("_")
    return name if _NAME.match(name or "") else ""


def answer_problems(answer: str) -> list[str]:
    found = []
    text = answer.strip()
    if not text:
        return ["Écrivez la réponse du bot."]
    if len(text) > ANSWER_LENGTH:
        found.append(f"La réponse fait {len(text)} caractères : {ANSWER_LENGTH} au plus.")
    refusal = secret_refusal(text)
    if refusal:
        found.append("Réponse : " + refusal)
    for link in _URL.findall(text):
        host = re.sub(r"^(?:https?://)?", "", link, flags=re.IGNORECASE).split("/")[0].lower()
        if host not in (ACS_HOST, f"www.{ACS_HOST}"):
            found.append(
                f"Le lien « {link} » n'est pas le site ACS ({ACS_HOST}) : la réponse ne peut citer que lui."
            )
    if "](" in text:
        found.append("Écrivez le lien en entier (https://…), sans la forme [texte](lien).")
    if "{" in text or "}" in text:
        found.append("Enlevez les accolades { } de la réponse : elles ont un sens spécial pour le bot.")
    if _PHONE.search(text) or "€" in text or "24 h" in text or "48 h" in text:
        found.append(
            "La réponse cite un numéro de téléphone, un prix ou un délai : seuls les faits du "
            "document d'aide sont permis ; laissez-les aux réponses existantes."
        )
    return found


def button_problems(buttons: Sequence[tuple[str, str]], button_intents: Iterable[str]) -> list[str]:
    allowed = set(button_intents)
    found = []
    for title, payload in buttons:
        if not title.strip() or len(title) > BUTTON_TITLE_LENGTH:
            found.append(f"Le titre d'un bouton fait de 1 à {BUTTON_TITLE_LENGTH} caractères (« {title} »).")
        if secret_refusal(title):
            found.append(f"Le bouton « {title} » contient un numéro.")
        if not payload.startswith("/") or payload[1:] not in allowed:
            found.append(
                f"Le bouton « {title} » doit envoyer une intention à bouton (« /nom »), pas « {payload} »."
            )
    return found


def _holdout_problems(root: Path, phrases: Sequence[str], examples: Sequence[str]) -> list[str]:
    found = []
    cleaned = []
    for phrase in phrases:
        try:
            cleaned.append(clean_example(phrase))
        except TrainingDataError as error:
            found.append(f"Phrase de contrôle « {redact(phrase)} » : {error}")
    if len(cleaned) < MIN_HOLDOUT:
        found.append(
            f"Donnez au moins {MIN_HOLDOUT} phrases de contrôle (vous en avez {len(cleaned)}) : "
            "d'autres façons de poser la question, qui ne servent qu'à mesurer le bot."
        )
    existing = [x for xs in holdout_examples(root).values() for x in xs]
    keys = {same_ngrams_key(x) for x in existing}
    for phrase in cleaned:
        key = same_ngrams_key(phrase)
        if key in keys:
            found.append(f"« {phrase} » : cette phrase de contrôle est en double.")
        keys.add(key)
    training = [x for xs in training_examples(root).values() for x in xs] + list(examples)
    noisy_copies = [copy for copy in (noisy(x, ROBUST_SEED) for x in cleaned) if copy is not None]
    for score, phrase, example in nearest_training_examples(cleaned + noisy_copies, training):
        if score >= MAX_SIMILARITY:
            found.append(
                f"La phrase de contrôle « {phrase} » est presque l'exemple « {example} » : "
                "écrivez-la autrement."
            )
    return sorted(set(found), key=found.index)


def validate_new_intent(
    root: Path,
    *,
    name: str,
    label: str,
    examples: Sequence[str],
    answer: str,
    buttons: Sequence[tuple[str, str]],
    topic: str,
    holdout: Sequence[str],
) -> list[str]:
    """Every mistake of the form, in French (empty: it can be written)."""
    registry = load_registry(root / "intents.yml")
    found = []
    if not _NAME.match(name) or len(name) > 60:
        found.append("Le nom technique s'écrit en minuscules et « _ » (ex. : code_commence_par_zero).")
    elif name in registry.names:
        found.append(f"L'intention « {name} » existe déjà : modifiez-la plutôt.")
    label = label.strip()
    if not LABEL_LENGTH[0] <= len(label) <= LABEL_LENGTH[1]:
        found.append(
            f"Le libellé fait de {LABEL_LENGTH[0]} à {LABEL_LENGTH[1]} caractères (il en a {len(label)})."
        )
    if secret_refusal(label):
        found.append("Le libellé contient un numéro.")
    same = [n for n, other in registry.labels.items() if copy_key(other) == copy_key(label)]
    if same:
        found.append(f"Le libellé « {label} » est déjà celui de « {same[0]} ».")
    if topic not in TOPICS:
        found.append(f"Choisissez un thème parmi : {', '.join(TOPICS.values())}.")
    if len({copy_key(x) for x in examples if copy_key(x)}) < MIN_EXAMPLES:
        found.append(f"Donnez au moins {MIN_EXAMPLES} exemples différents (vous en avez {len(examples)}).")
    cleaned: list[str] = []
    try:
        cleaned, _ = check_new_examples(root, name, examples)
    except TrainingDataError as error:
        found.append(str(error))
    found += answer_problems(answer)
    found += button_problems(buttons, registry.button_intents | {name})
    found += _holdout_problems(root, holdout, cleaned)
    return found
