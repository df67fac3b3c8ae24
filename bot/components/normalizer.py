from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

logger = logging.getLogger(__name__)


# Registered as a featurizer because the recipe only chains message-processing components of the
# tokenizer/featurizer types; it must come first in the pipeline so the tokenizer sees the rewritten text.
@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False)
class ChineseTextNormalizer(GraphComponent):
    """Rewrites the message text in place: Traditional→Simplified, full-width→half-width, clean-up."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["zh"]

    @staticmethod
    def required_packages() -> list[str]:
        # Not ["opencc"]: Rasa imports these names but also fingerprints them as distributions, and
        # opencc's distribution is named opencc-python-reimplemented, so either use fails. The
        # import in bot.normalization fails loudly enough when it is missing.
        return []

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChineseTextNormalizer:
        return cls()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            self._normalize_message(example)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalize_message(message)
        return messages

    @staticmethod
    def _normalize_message(message: Message) -> None:
        from bot.normalization import normalize

        original = message.get(TEXT)
        if not original:
            return
        normalized = normalize(original)
        if normalized.text == original:
            return
        message.set(TEXT, normalized.text)

        entities = message.get(ENTITIES) or []
        moved = []
        for entity in entities:
            start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
            span = normalized.map_span(start, end)
            if span is None:
                logger.warning("Entity %r vanished when normalising %r; dropped.", entity, original)
                continue
            new_start, new_end = span
            updated = {**entity, ENTITY_ATTRIBUTE_START: new_start, ENTITY_ATTRIBUTE_END: new_end}
            # A value different from the annotated text is a synonym target and stays as written.
            if entity.get("value") == original[start:end]:
                updated["value"] = normalized.text[new_start:new_end]
            moved.append(updated)
        if entities:
            message.set(ENTITIES, moved)
