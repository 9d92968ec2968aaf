"""Never let an access code typed in the chat go unnoticed.

The classifier may hesitate on "mon code 123456 ne marche pas"; the member must be
told never to share their code whatever else the message says. This component
runs after the statistical classifier and forces the ``share_access_code`` intent
when the text holds six digits on their own (``bot.patterns``).
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

from bot.patterns import contains_access_code

SHARE_ACCESS_CODE = "share_access_code"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class AccessCodeGuard(GraphComponent, IntentClassifier):  # type: ignore[misc]
    """Sets the intent to ``share_access_code`` when a code appears in the message."""

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
    ) -> AccessCodeGuard:
        return cls()

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not contains_access_code(message.get(TEXT) or ""):
                continue
            forced = {"name": SHARE_ACCESS_CODE, "confidence": 1.0}
            ranking = [forced] + [
                entry
                for entry in message.get(INTENT_RANKING_KEY) or []
                if entry.get("name") != SHARE_ACCESS_CODE
            ]
            message.set(INTENT, forced, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages
