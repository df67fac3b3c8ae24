from __future__ import annotations

from datetime import date
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_CONFIDENCE,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.entity_rules import ENTITY_TYPES


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class BankingEntityExtractor(GraphComponent, EntityExtractorMixin):
    """Rule-based entities (spaCy blank zh EntityRuler + regexes) with normalised values.

    Place it after the normaliser: offsets refer to the normalised text the rest of the pipeline sees.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # entity types to emit; the others are found (they settle overlaps) but not reported
            "entities": list(ENTITY_TYPES),
            # fixed "today" as ISO date for relative dates (本月, 昨天); None means the real date.
            # Only tests and replays of old conversations should set it.
            "reference_date": None,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        return ["zh"]

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy"]

    def __init__(self, config: dict[str, Any]) -> None:
        from bot.entity_rules import EntityRules

        self._config = config
        self._wanted = set(config["entities"])
        reference = config["reference_date"]
        fixed = date.fromisoformat(reference) if reference else None
        self._rules = EntityRules(today=(lambda: fixed) if fixed else date.today)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> BankingEntityExtractor:
        return cls(config)

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> BankingEntityExtractor:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            found = [
                {
                    ENTITY_ATTRIBUTE_TYPE: entity.entity,
                    ENTITY_ATTRIBUTE_START: entity.start,
                    ENTITY_ATTRIBUTE_END: entity.end,
                    ENTITY_ATTRIBUTE_VALUE: entity.value,
                    ENTITY_ATTRIBUTE_CONFIDENCE: 1.0,
                }
                for entity in self._rules.extract(message.get(TEXT) or "")
                if entity.entity in self._wanted
            ]
            if found:
                entities = self.add_extractor_name(found)
                message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages
