"""The action server's response checked event by event against its type's part of Rasa's schema: the same
answer as jsonschema with the whole schema, for every event type Rasa has and for broken variants of each."""

from __future__ import annotations

import copy
import random
from typing import Any

from jsonschema import validators
from rasa.core.actions.action import RemoteAction
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    EntitiesAdded,
    Restarted,
    SlotSet,
    UserUttered,
)

from bot.action_response import is_valid_response

SCHEMA = RemoteAction.action_response_format_spec()
RASAS_CHECK = validators.validator_for(SCHEMA)(SCHEMA).is_valid
# Values that break a field of one type or another.
ODD_VALUES: list[Any] = [None, 3, 2.5, "x", True, [], {}, [1], {"name": 3}, [{"entity": 3}]]


def _events() -> list[dict[str, Any]]:
    """One of each type the schema names, as Rasa writes them, and a user message with a full reading."""
    reading = {
        "text": "冻结卡片",
        "intent": {"name": "freeze_card", "confidence": 0.9},
        "intent_ranking": [{"name": "freeze_card", "confidence": 0.9}],
        "entities": [{"entity": "card_tail", "value": "1234", "start": 0, "end": 4}],
    }
    written = [
        UserUttered("冻结卡片", reading["intent"], reading["entities"], reading).as_dict(),
        ActionExecuted("action_freeze_card", "RulePolicy", 1.0).as_dict(),
        SlotSet("card_tail", "1234").as_dict(),
        EntitiesAdded([{"entity": "card_tail", "value": "1234"}]).as_dict(),
        ActiveLoop("card_form").as_dict(),
        BotUttered("您的卡已冻结。").as_dict(),
        Restarted().as_dict(),
    ]
    bare = [
        {"event": name}
        for name in (
            "user_featurization cancel_reminder reminder action_execution_rejected form_validation "
            "loop_interrupted form reset_slots resume pause followup export undo rewind session_started agent"
        ).split()
    ]
    return written + bare


def _broken(event: dict[str, Any], pick: random.Random) -> dict[str, Any]:
    """The event with one field, maybe nested, given an odd value, or dropped, or a field added."""
    event = copy.deepcopy(event)
    target = event
    while True:
        nested = [key for key, value in target.items() if isinstance(value, dict) and value]
        if not nested or pick.random() < 0.5:
            break
        target = target[pick.choice(nested)]
    key = pick.choice([*target, "unexpected"])
    if pick.random() < 0.2:
        target.pop(key, None)
    else:
        target[key] = pick.choice(ODD_VALUES + ["no_such_event", "slot"])
    return event


def test_every_event_type_passes_as_with_rasa() -> None:
    events = _events()
    assert all(RASAS_CHECK({"events": [event]}) for event in events)
    assert is_valid_response({"events": events, "responses": [{"text": "好的"}]})
    assert all(is_valid_response({"events": [event]}) for event in events)


def test_broken_events_and_responses_get_rasas_answer() -> None:
    pick = random.Random(15)
    events = _events()
    answers = {True: 0, False: 0}
    for _ in range(3000):
        response: dict[str, Any] = {
            "events": [_broken(pick.choice(events), pick) for _ in range(pick.randint(1, 3))]
        }
        if pick.random() < 0.1:
            response = pick.choice(
                [{"events": pick.choice(ODD_VALUES)}, {"responses": pick.choice(ODD_VALUES)}]
            )
        expected = RASAS_CHECK(response)
        assert is_valid_response(response) is expected, response
        answers[expected] += 1
    assert min(answers.values()) > 300  # both answers were asked for often


def test_responses_that_are_no_object_fail() -> None:
    for response in ([], "events", None, 3):
        assert RASAS_CHECK(response) is False
        assert is_valid_response(response) is False
