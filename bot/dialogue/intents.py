"""The intent registry (``intents.yml``) and the "Vouliez-vous dire…" fallback buttons.

Every intent, its French label and how the bot treats it (button, topic menu,
digression in the forms, read as a NIR) used to be listed by hand in several
modules; now trainers edit one commented file at the repository root and the code
reads it once, at import. The tests check that the domain and the rules agree with
it. The Rasa server reads the same file on its own (``rasa_addons/intents.py``):
it may import only ``bot.shared``, which has no YAML parser.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

REGISTRY_PATH = Path(__file__).resolve().parents[2] / "intents.yml"

_NAME = re.compile(r"^[a-z][a-z_]*$")
_FLAGS = ("button", "help_document", "digression", "read_as_nir")
SETTINGS = ("label", "staff_label", "menu", *_FLAGS)


class RegistryError(ValueError):
    """``intents.yml`` is malformed; the message, in French, says where and how to fix it."""


@dataclass(frozen=True)
class Intent:
    """One intent of the registry; see the comments at the top of ``intents.yml``."""

    name: str
    label: str | None = None
    staff_label: str | None = None  # for agents and trainers only, never on a member's button
    button: bool = False
    menu: int | None = None
    help_document: bool = False
    digression: bool = False
    read_as_nir: bool = False


@dataclass(frozen=True)
class IntentRegistry:
    """Every intent, in the file's order, and the lists the code derives from them."""

    intents: tuple[Intent, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(intent.name for intent in self.intents)

    @property
    def labels(self) -> Mapping[str, str]:
        return {i.name: i.label for i in self.intents if i.label is not None}

    @property
    def staff_labels(self) -> Mapping[str, str]:
        """Every intent's French name for agents and trainers: ``staff_label``, else ``label``.

        The console's assistant and the workbench never show an English intent name
        (« out of scope », « deny »): an intent without either falls back to its name.
        """
        return {i.name: i.staff_label or i.label or i.name.replace("_", " ") for i in self.intents}

    @property
    def button_intents(self) -> frozenset[str]:
        return frozenset(i.name for i in self.intents if i.button)

    @property
    def topic_menu(self) -> tuple[str, ...]:
        ranked = sorted((i.menu, i.name) for i in self.intents if i.menu is not None)
        return tuple(name for _, name in ranked)

    @property
    def help_document(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents if i.help_document)

    @property
    def digressions(self) -> tuple[str, ...]:
        return tuple(i.name for i in self.intents if i.digression)

    @property
    def not_read_as_nir(self) -> tuple[str, ...]:
        """The ``not_intent`` list of the ``nir`` slot: messages that are not the number."""
        return tuple(i.name for i in self.intents if not i.read_as_nir)


def parse_registry(data: Any, source: str = "intents.yml") -> IntentRegistry:
    """Check the loaded YAML and build the registry; French errors name the intent at fault."""
    if not isinstance(data, dict) or not isinstance(data.get("intents"), dict):
        raise RegistryError(f"{source} : il faut une liste « intents: » en tête du fichier.")
    intents: list[Intent] = []
    menu_places: dict[int, str] = {}
    for name, settings in data["intents"].items():
        where = f"{source}, intention « {name} »"
        if not isinstance(name, str) or not _NAME.match(name):
            raise RegistryError(
                f"{where} : un nom s'écrit en minuscules et « _ » (ex. : forgot_access_code)."
            )
        settings = settings or {}
        if not isinstance(settings, dict):
            raise RegistryError(f"{where} : les réglages vont à la ligne, quatre espaces plus loin.")
        unknown = sorted(set(settings) - set(SETTINGS))
        if unknown:
            possible = ", ".join(SETTINGS)
            raise RegistryError(
                f"{where} : réglage inconnu {', '.join(unknown)} (réglages possibles : {possible})."
            )
        for flag in _FLAGS:
            if not isinstance(settings.get(flag, False), bool):
                raise RegistryError(f"{where} : « {flag} » vaut true ou false.")
        label = settings.get("label")
        if label is not None and (not isinstance(label, str) or not label.strip()):
            raise RegistryError(f"{where} : le libellé (label) est une phrase entre guillemets.")
        staff_label = settings.get("staff_label")
        if staff_label is not None and (not isinstance(staff_label, str) or not staff_label.strip()):
            raise RegistryError(
                f"{where} : le nom pour les conseillers (staff_label) est une phrase entre guillemets."
            )
        menu = settings.get("menu")
        if menu is not None:
            if isinstance(menu, bool) or not isinstance(menu, int) or menu < 1:
                raise RegistryError(f"{where} : « menu » est une place dans le menu (1, 2, 3…).")
            if menu in menu_places:
                raise RegistryError(
                    f"{where} : la place {menu} du menu est déjà prise par {menu_places[menu]}."
                )
            menu_places[menu] = name
            if label is None:
                raise RegistryError(f"{where} : une intention du menu doit avoir un libellé (label).")
        if label is not None and not settings.get("button", False):
            raise RegistryError(
                f"{where} : elle a un libellé, donc un bouton « Vouliez-vous dire… » peut l'envoyer : "
                "ajoutez « button: true »."
            )
        intents.append(
            Intent(
                name=name,
                label=label,
                staff_label=staff_label,
                menu=menu,
                **{flag: bool(settings.get(flag, False)) for flag in _FLAGS},
            )
        )
    return IntentRegistry(tuple(intents))


def load_registry(path: Path = REGISTRY_PATH) -> IntentRegistry:
    """Read and check ``intents.yml``; a YAML mistake becomes a French ``RegistryError``."""
    try:
        data = YAML(typ="safe").load(path.read_text(encoding="utf-8"))
    except YAMLError as error:
        raise RegistryError(f"{path.name} n'est pas lisible (alignement, guillemets ?) : {error}") from error
    return parse_registry(data, path.name)


REGISTRY = load_registry()

# French wording of each intent, for the "Vouliez-vous dire…" fallback buttons.
INTENT_LABELS: Mapping[str, str] = REGISTRY.labels
# Intents a button may send as "/intent" (``bot.shared.user_input.clean_message``).
BUTTON_INTENTS: frozenset[str] = REGISTRY.button_intents
# What the bot knows how to do, offered when it has no sensible guess (empty
# message, emoji, another language, text pasted by mistake).
TOPIC_MENU: tuple[str, ...] = REGISTRY.topic_menu

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
