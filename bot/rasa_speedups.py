"""Work Rasa 3.6 does at every turn without changing a result, done once per process or skipped. Same results.

- Each custom action's response is validated with `jsonschema.validate`, which first checks the schema
  itself against the JSON Schema meta-schema: 9 ms of the 12 ms a custom action call took on this machine.
  Validators built once from the same schema, each event checked against its own type's part only
  (`bot.action_response`), answer in a few hundredths of a millisecond. An invalid response still goes
  through Rasa's own check, so it fails exactly as before, with Rasa's message.
- Each event read from the tracker store finds its class by walking every subclass of `Event` (15 µs an
  event, about 1 ms for a tracker at each turn). A table of the same classes, first one per type name as
  Rasa's walk finds them, answers at once; a name not in it goes to Rasa's walk as before.
- The model's graph (one run per parse and per prediction) runs its nodes in an order worked out once
  (`bot.graph_runner`), and TEDPolicy is not run where a rule or a memorised story already decides the
  prediction (`bot.ted_gate`).
- RulePolicy tests only the rules that could fit the latest state, and stops walking back through the
  conversation once the rules left are decided (`bot.rule_matching`).
- Every tracker Rasa makes (several a turn) copies each of the domain's slots with `copy.copy`, whose
  generic protocol took 150 µs a tracker for our 29 slots. A slot is copied the way that protocol copies it
  (a new object of the same class sharing the attributes) in 40 µs.
- Each prediction's policies read the tracker's past states from a fold over its history kept for the
  turn and carried on over the events added since (`bot.past_states`), instead of replaying every event of
  the tracker at each use.
- Custom action calls reuse one HTTP session and its connections, and write their JSON with ujson
  (`bot.endpoint_sessions`); Rasa opened a session and a connection for each.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa.core.actions.action import RemoteAction
from rasa.core.featurizers.tracker_featurizers import TrackerFeaturizer
from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.runner.dask import DaskGraphRunner
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.core.events import Event
from rasa.shared.core.slots import Slot
from rasa.shared.utils.common import all_subclasses
from rasa.utils.endpoints import EndpointConfig

from bot import ted_gate
from bot.action_response import is_valid_response
from bot.endpoint_sessions import kept_session
from bot.graph_runner import InOrderGraphRunner
from bot.past_states import past_states
from bot.rule_matching import possible_rule_keys

_rasa_validate = RemoteAction._validate_action_result
_rasa_resolve_by_type = Event.resolve_by_type


def _validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
    if is_valid_response(result):
        return True
    return _rasa_validate(self, result)


@cache
def _event_types() -> dict[str, type[Event]]:
    """Built at the first event read, when Rasa has imported all its event classes."""
    types: dict[str, type[Event]] = {}
    for event_class in all_subclasses(Event):
        types.setdefault(event_class.type_name, event_class)
    return types


def _resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
    return _event_types().get(type_name) or _rasa_resolve_by_type(type_name, default)


def _copy_slot(slot: Slot) -> Slot:
    clone = object.__new__(type(slot))
    clone.__dict__.update(slot.__dict__)
    return clone


def _prediction_runner(
    cls: type[DaskGraphRunner],
    graph_schema: GraphSchema,
    model_storage: ModelStorage,
    execution_context: ExecutionContext,
    hooks: list[Any] | None = None,
) -> InOrderGraphRunner:
    """The runner Rasa's processor asks DaskGraphRunner for when it loads a model."""
    return InOrderGraphRunner(ted_gate.gated_schema(graph_schema), model_storage, execution_context, hooks)


# (owner, attribute, replacement): what install() puts in place of Rasa's own code.
REPLACEMENTS: tuple[tuple[type, str, Any], ...] = (
    (RemoteAction, "_validate_action_result", _validate_action_result),
    (Event, "resolve_by_type", staticmethod(_resolve_by_type)),
    (DaskGraphRunner, "create", classmethod(_prediction_runner)),
    (RulePolicy, "_get_possible_keys", possible_rule_keys),
    (Slot, "__copy__", _copy_slot),
    (EndpointConfig, "session", kept_session),
    (TrackerFeaturizer, "_create_states", staticmethod(past_states)),
)


def install() -> None:
    """Put the shortcuts above in place of Rasa's own code, for this process."""
    for owner, name, replacement in REPLACEMENTS:
        setattr(owner, name, replacement)
