from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.classifiers.classifier import IntentClassifier
from rasa.shared.constants import DEFAULT_NLU_FALLBACK_INTENT_NAME
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from bot.clauses import CLAUSE_INTENTS, REQUEST_CLAUSE, asks
from bot.components.security_clarifier import SECURITY_UNSURE_INTENT
from contract.names import GRIEVANCE_INTENTS, SERVICE_INTENTS

MULTIPLE_REQUESTS_INTENT = "multiple_requests"
# Readings that put their own intent above the two candidates they could not tell apart.
UNSURE_INTENTS = frozenset({SECURITY_UNSURE_INTENT, DEFAULT_NLU_FALLBACK_INTENT_NAME})
# How a whole message that takes a request back is often read: unsure, or a deny ("不对不对，不是激活，…").
TAKING_BACK_READINGS = UNSURE_INTENTS | {"deny"}
# Output key: the requests of the message in the order the customer said them (actions/requests.py).
REQUESTS = "requests"
# A clause opening with one of these takes a request back ("不是挂失，是冻结"): it asks for nothing.
NEGATIONS = ("不是", "不要", "不用", "别", "并不是")


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=False)
class RequestSplitter(GraphComponent, IntentClassifier):
    """Predicts ``multiple_requests`` when the clauses of a message ask for two different things
    ("顺便问下积分，再帮我激活新卡"), with each request, its words and its entities in ``requests``.

    A message that takes its own request back for another ("不是挂失，是临时冻结") is read as that other one.
    The clause readings come from the intent classifier (its ``max_clauses``). Like the SecurityClarifier it
    keeps the ranking below its own intent. Place it last: a message read unsure (nlu_fallback, or
    nlu_security_unsure) is split only when its clauses ask for the two candidates it could not tell apart.
    """

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # intents a clause may request; meta intents (greet, affirm, ...) are no request of their own
            "request_intents": [*SERVICE_INTENTS, *GRIEVANCE_INTENTS, "query_ticket_status"],
            # a clause counts as a request when its top intent is at least this sure
            "min_confidence": 0.5,
            # requests about a problem: beside them, a clause that only tells ("积分兑换的东西寄来是坏的")
            # is the problem's story, not a question about points
            "grievance_intents": list(GRIEVANCE_INTENTS),
            # taken first whatever the order said: a card at risk cannot wait for a dispute form
            "urgent_intents": ["report_lost_card", "freeze_card"],
        }

    def __init__(self, config: dict[str, Any]) -> None:
        self._intents = frozenset(config["request_intents"])
        self._min_confidence = float(config["min_confidence"])
        self._grievances = frozenset(config["grievance_intents"])
        self._urgent = frozenset(config["urgent_intents"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> RequestSplitter:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._correct(message)
            self._focus(message)
            requests = self._requests(message)
            if not requests:
                continue
            intent = message.get(INTENT)
            split = {
                INTENT_NAME_KEY: MULTIPLE_REQUESTS_INTENT,
                PREDICTED_CONFIDENCE_KEY: intent[PREDICTED_CONFIDENCE_KEY],
            }
            message.set(INTENT, split, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [split, *message.get(INTENT_RANKING_KEY)], add_to_output=True)
            message.set(REQUESTS, requests, add_to_output=True)
        return messages

    def _readings(self, message: Message, *, negated: bool) -> list[dict[str, Any]]:
        return [
            reading
            for reading in message.get(CLAUSE_INTENTS) or []
            if reading[INTENT_NAME_KEY] in self._intents
            and reading[PREDICTED_CONFIDENCE_KEY] >= self._min_confidence
            and _negated(reading[TEXT]) is negated
        ]

    def _correct(self, message: Message) -> None:
        """ "不是挂失，是临时冻结": the message's reading is the request the customer took back, an unsure one
        or a deny; the one they put in its place is the request."""
        whole = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
        meant_readings = self._readings(message, negated=False)
        taken_back = {r[INTENT_NAME_KEY] for r in self._readings(message, negated=True)}
        meant = {r[INTENT_NAME_KEY] for r in meant_readings} - {whole}
        corrects = whole in taken_back or (whole in TAKING_BACK_READINGS and bool(taken_back))
        if not corrects or len(meant) != 1:
            return
        _read_as(message, next(r for r in meant_readings if r[INTENT_NAME_KEY] in meant))
        message.set(CLAUSE_INTENTS, [])

    def _focus(self, message: Message) -> None:
        """A story that leads up to its request ("…快递今天终于送到了，…，现在想把这张新卡开通用起来"): the
        other topics of the story blur the reading of the whole, so the clause that asks wins when it reads
        surer. A complaint's story stays a complaint."""
        reading = message.get(REQUEST_CLAUSE)
        whole = message.get(INTENT) or {}
        if not reading or whole.get(INTENT_NAME_KEY) not in self._intents - self._grievances:
            return
        asked = reading[INTENT_NAME_KEY]
        if asked not in self._intents or asked == whole[INTENT_NAME_KEY]:
            return
        if reading[PREDICTED_CONFIDENCE_KEY] > whole[PREDICTED_CONFIDENCE_KEY]:
            _read_as(message, reading)

    def _requests(self, message: Message) -> list[dict[str, Any]]:
        """One request per clause that asks for something new, urgent ones first; none unless there are two
        and the message's own reading is one of them (so a clause read wrongly cannot replace a sure reading
        of the whole)."""
        readings = self._told_apart(self._readings(message, negated=False))
        requests: list[dict[str, Any]] = []
        for reading in readings:
            if all(r[INTENT][INTENT_NAME_KEY] != reading[INTENT_NAME_KEY] for r in requests):
                requests.append(_request(message, reading))
        whole = _whole_readings(message)
        if len(requests) < 2 or all(r[INTENT][INTENT_NAME_KEY] not in whole for r in requests):
            return []
        return sorted(requests, key=lambda r: r[INTENT][INTENT_NAME_KEY] not in self._urgent)

    def _told_apart(self, readings: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The readings without the clauses that only tell the story of a complaint or dispute."""
        if not any(r[INTENT_NAME_KEY] in self._grievances for r in readings):
            return readings
        return [r for r in readings if r[INTENT_NAME_KEY] in self._grievances or asks(r[TEXT])]


def _read_as(message: Message, reading: dict[str, Any]) -> None:
    """The message's intent becomes the clause's reading, the rest of the ranking below it."""
    intent = {
        INTENT_NAME_KEY: reading[INTENT_NAME_KEY],
        PREDICTED_CONFIDENCE_KEY: reading[PREDICTED_CONFIDENCE_KEY],
    }
    others = [
        r for r in message.get(INTENT_RANKING_KEY) or [] if r[INTENT_NAME_KEY] != intent[INTENT_NAME_KEY]
    ]
    message.set(INTENT, intent, add_to_output=True)
    message.set(INTENT_RANKING_KEY, [intent, *others], add_to_output=True)


def _whole_readings(message: Message) -> set[str]:
    """The message's own reading; when it was unsure ("卡丢了要挂失，顺便补一张新的": a near tie, or around
    card security), the two it was unsure between, ranked below the unsure intent."""
    ranking = [r[INTENT_NAME_KEY] for r in message.get(INTENT_RANKING_KEY) or []]
    whole = (message.get(INTENT) or {}).get(INTENT_NAME_KEY)
    if whole in UNSURE_INTENTS:
        return set(ranking[1:3])
    return {whole}


def _negated(clause: str) -> bool:
    return clause.startswith(NEGATIONS)


def _request(message: Message, reading: dict[str, Any]) -> dict[str, Any]:
    start, end = reading["start"], reading["end"]
    entities = [
        {
            **entity,
            ENTITY_ATTRIBUTE_START: entity[ENTITY_ATTRIBUTE_START] - start,
            ENTITY_ATTRIBUTE_END: entity[ENTITY_ATTRIBUTE_END] - start,
        }
        for entity in message.get(ENTITIES) or []
        if start <= entity[ENTITY_ATTRIBUTE_START] and entity[ENTITY_ATTRIBUTE_END] <= end
    ]
    intent = {
        INTENT_NAME_KEY: reading[INTENT_NAME_KEY],
        PREDICTED_CONFIDENCE_KEY: reading[PREDICTED_CONFIDENCE_KEY],
    }
    return {TEXT: reading[TEXT], INTENT: intent, INTENT_RANKING_KEY: [intent], ENTITIES: entities}
