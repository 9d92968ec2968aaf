"""Recognise secrets typed in the chat whatever the classifier thinks.

The statistical classifier may hesitate on "mon code 123456 ne marche pas" or on a
bare 15-digit number; the bot must still warn about a shared access code and
treat a lone NIR as a NIR. This component runs after the classifier and forces
the intent when ``bot.shared.patterns`` recognises the message.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message

from bot.shared.patterns import contains_access_code, is_nir_alone

SHARE_ACCESS_CODE = "share_access_code"
PROVIDE_NIR = "provide_nir"


def forced_intent(text: str) -> str | None:
    """The intent a secret in ``text`` imposes, if any (an access code comes first)."""
    if contains_access_code(text):
        return SHARE_ACCESS_CODE
    if is_nir_alone(text):
        return PROVIDE_NIR
    return None


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
            intent = forced_intent(message.get(TEXT) or "")
            if intent is None:
                continue
            forced = {"name": intent, "confidence": 1.0}
            ranking = [forced] + [
                entry for entry in message.get(INTENT_RANKING_KEY) or [] if entry.get("name") != intent
            ]
            message.set(INTENT, forced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
