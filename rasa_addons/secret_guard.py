"""Recognise secrets typed in the chat whatever the classifier thinks.

The statistical classifier may hesitate on "mon code 123456 ne marche pas" or on a
bare 15-digit number; the bot must still warn about a shared access code and
treat a lone NIR as a NIR. This component runs after the classifier and forces
the intent when ``bot.shared.patterns`` recognises the message.

One exception: six digits inside a question about the code's rules ("Puis-je
choisir 000000 ?") are an example, maybe the member's real code. Forcing
``share_access_code`` would only warn, and leave the question unanswered. When the
classifier is confident the message asks about the rules, the guard keeps that
intent and flags the code with the entity ``access_code_typed`` (value "oui", never
the digits): a rule then answers the rule *and* warns (data/rules/code_dans_question.yml).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.shared.patterns import access_code_span, is_nir_alone

SHARE_ACCESS_CODE = "share_access_code"
PROVIDE_NIR = "provide_nir"
# Questions where six digits are an example to judge: answered, then the warning.
QUESTIONS_ABOUT_A_CODE = frozenset({"access_code_rules"})
# Below this, the classifier's guess is too weak to keep: the warning alone is safer.
MIN_CONFIDENCE_TO_KEEP = 0.3
CODE_FLAG = "access_code_typed"
CODE_FLAG_VALUE = "oui"


@dataclass(frozen=True)
class Verdict:
    """The intent to set, and where the access code is when it is flagged by an entity."""

    intent: str
    code_span: tuple[int, int] | None = None


def verdict(text: str, classified: str | None = None, confidence: float = 0.0) -> Verdict | None:
    """What a secret in ``text`` imposes, given the classifier's intent; None if no secret.

    An access code comes first: "mon code c'est 482913" is sharing it. A question
    about the rules keeps its intent when the classifier is confident, with the code flagged.
    """
    span = access_code_span(text)
    if span is not None:
        if classified in QUESTIONS_ABOUT_A_CODE and confidence >= MIN_CONFIDENCE_TO_KEEP:
            return Verdict(classified, span)
        return Verdict(SHARE_ACCESS_CODE)
    if is_nir_alone(text):
        return Verdict(PROVIDE_NIR)
    return None


def forced_intent(text: str) -> str | None:
    """The intent a secret in ``text`` imposes whatever the classifier says (kept for callers)."""
    found = verdict(text)
    return found.intent if found else None


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SecretGuard(GraphComponent, IntentClassifier):
    """Sets the intent when a message is, or holds, a secret."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [IntentClassifier]

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecretGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            classified = message.get(INTENT) or {}
            found = verdict(
                message.get(TEXT) or "",
                classified.get("name"),
                float(classified.get("confidence") or 0.0),
            )
            if found is None:
                continue
            forced = {"name": found.intent, "confidence": 1.0}
            ranking = [forced] + [
                entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get("name") != found.intent
            ]
            message.set(INTENT, forced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
            if found.code_span is not None:
                start, end = found.code_span
                flag = {
                    "entity": CODE_FLAG,
                    "value": CODE_FLAG_VALUE,
                    "start": start,
                    "end": end,
                    "extractor": type(self).__name__,
                }
                message.set(ENTITIES, [*(message.get(ENTITIES) or []), flag], add_to_output=True)
        return messages
