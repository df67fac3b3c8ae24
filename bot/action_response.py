"""The action server's response checked against Rasa's schema, each event against its own type's part only.

Rasa's schema says each event is an object with a string `event` that matches exactly one of 23 sub-schemas
(`oneOf`). Each sub-schema fixes `event` to a constant, so one made for another type can never match; a
generic validator still tries all 23 for every event: 1.1 ms for a response of five events on this machine.
Here the sub-schemas are grouped by that constant once, and an event is tried only against those of its
type. The answer is the same: exactly one of them must match.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Callable
from functools import cache
from typing import Any

from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction

Check = Callable[[Any], bool]


@cache
def _checks() -> tuple[Check, dict[str, list[Check]]]:
    """(the response without each event's oneOf, the sub-schemas' checks by the event type each fixes)."""
    schema = copy.deepcopy(RemoteAction.action_response_format_spec())
    validator = validator_for(schema)  # the draft jsonschema.validate picks for the whole, for every part
    event_schema = schema["properties"]["events"]["items"]
    by_type: dict[str, list[Check]] = defaultdict(list)
    for sub_schema in event_schema.pop("oneOf"):
        # Rasa 3.6's every sub-schema fixes it (a KeyError here: the schema changed, and so must this).
        by_type[sub_schema["properties"]["event"]["const"]].append(validator(sub_schema).is_valid)
    return validator(schema).is_valid, dict(by_type)


def is_valid_response(response: Any) -> bool:
    """What Rasa's schema check of a custom action's response answers."""
    whole, by_type = _checks()
    if not whole(response):
        return False
    # The whole passed: `events`, if there, is a list of objects, each with a string `event`.
    for event in response.get("events", ()):
        if sum(check(event) for check in by_type.get(event["event"], ())) != 1:
            return False
    return True
