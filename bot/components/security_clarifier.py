from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
)
from rasa.shared.nlu.training_data.message import Message

SECURITY_UNSURE_INTENT = "nlu_security_unsure"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class SecurityClarifier(GraphComponent, IntentClassifier):
    """Predicts ``nlu_security_unsure`` when a card-security intent comes a close second: a lost card read
    as a complaint, or an unfreeze read as a freeze, is worse than one short question.

    Like Rasa's FallbackClassifier it keeps the ranking and puts its own intent first, so the dialogue
    (a rule to action_clarify_security) can offer the two candidates as buttons. Place it after the
    FallbackClassifier: a message that is not understood at all stays nlu_fallback.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # intents where a misreading costs the customer money: asked about rather than guessed
            "security_intents": ["report_lost_card", "freeze_card", "unfreeze_card"],
            # the top two are "close" when their confidences differ by less than this
            "margin": 0.15,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._security = frozenset(config["security_intents"])
        self._margin = float(config["margin"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SecurityClarifier:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if not self._unsure(message):
                continue
            confidence = message.get(INTENT)[PREDICTED_CONFIDENCE_KEY]
            unsure = {INTENT_NAME_KEY: SECURITY_UNSURE_INTENT, PREDICTED_CONFIDENCE_KEY: confidence}
            ranking = [unsure, *message.get(INTENT_RANKING_KEY)]
            message.set(INTENT, unsure, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def _unsure(self, message: Message) -> bool:
        intent = message.get(INTENT) or {}
        if intent.get(INTENT_NAME_KEY) in (None, DEFAULT_NLU_FALLBACK_INTENT_NAME):
            return False
        ranking = message.get(INTENT_RANKING_KEY) or []
        if len(ranking) < 2:
            return False
        first, second = ranking[0], ranking[1]
        if second[INTENT_NAME_KEY] not in self._security:
            # A security intent ranked first is acted on: its flow verifies the card and confirms an
            # irreversible step, which catches a misreading. Ranked second, it would be lost.
            return False
        return first[PREDICTED_CONFIDENCE_KEY] - second[PREDICTED_CONFIDENCE_KEY] < self._margin
