"""A tracker's past states worked out once a turn and carried on, not from scratch at each use. Same states.

Each prediction asks for the states of the whole history: RulePolicy once or twice, MemoizationPolicy once,
TEDPolicy where it runs, and a turn makes two to four predictions. Rasa 3.6 replays every event of the
tracker into a new tracker each time (`Domain.states_for_tracker_history`): a fifth of the Rasa process's
CPU for a turn. A turn only adds events to its tracker, so the fold over the history is kept on the tracker
and carried on over the events added since. It starts again from the first event whenever the events
applied are not the ones kept plus new ones (a reverted utterance, a restart, a form run again): Rasa's
`applied_events` decides that, as before.

Callers edit the states they get (the featurizer drops the text or the intent of the latest user input),
so each call gets its own copy of the kept ones.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from rasa.shared.core.constants import PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State, SubState
from rasa.shared.core.events import ActionExecuted, Event
from rasa.shared.core.trackers import DialogueStateTracker

# Where a tracker keeps its folds: one per way of asking (the arguments besides the domain).
_FOLDS = "_bank_past_state_folds"


@dataclass
class _Fold:
    """Domain.states_for_tracker_history's loop, stopped after the events in `applied`."""

    applied: list[Event]
    replay: DialogueStateTracker  # a tracker of just those events
    states: list[State] = field(default_factory=list)
    last_ml_action_sub_state: SubState | None = None
    turn_was_hidden: bool = False


def _step(
    fold: _Fold,
    domain: Domain,
    hide_rule_turn: bool,
    omit_unset_slots: bool,
    rule_only_data: Any,
    *,
    ml: bool,
) -> None:
    """One pass of Rasa's loop, on the tracker as it was before an action (or at the end of the history);
    `ml` is Rasa's ignore_rule_only_turns."""
    tracker = fold.replay
    if ml:
        if not fold.turn_was_hidden:
            fold.last_ml_action_sub_state = domain._get_prev_action_sub_state(tracker)
        if not tracker.followup_action and not tracker.latest_action_name == tracker.active_loop_name:
            fold.turn_was_hidden = hide_rule_turn
        if fold.turn_was_hidden:
            return
    state = domain.get_active_state(tracker, omit_unset_slots=omit_unset_slots)
    if ml:
        domain._remove_rule_only_features(state, rule_only_data)
        if fold.states:
            domain._substitute_rule_only_user_input(state, fold.states[-1])
        if fold.last_ml_action_sub_state:
            state[PREVIOUS_ACTION] = fold.last_ml_action_sub_state
    fold.states.append(domain._clean_state(state))


def _carried_on(fold: _Fold | None, tracker: DialogueStateTracker) -> tuple[_Fold, list[Event]]:
    """The fold to go on with and the events it has yet to take in."""
    applied = tracker.applied_events()
    if fold is not None and continues(fold.applied, applied):
        return fold, applied[len(fold.applied) :]
    return _Fold([], tracker.init_copy()), applied


def continues(kept: list[Event], applied: list[Event]) -> bool:
    """The events applied now are the kept ones (the very objects) and more."""
    return len(kept) <= len(applied) and all(a is b for a, b in zip(kept, applied, strict=False))


def _copy(states: list[State]) -> list[State]:
    # A state's sub-states hold strings and tuples only: copying the dicts makes it the caller's own.
    return [{name: dict(sub_state) for name, sub_state in state.items()} for state in states]


def past_states(
    tracker: DialogueStateTracker,
    domain: Domain,
    omit_unset_slots: bool = False,
    ignore_rule_only_turns: bool = False,
    rule_only_data: dict[str, Any] | None = None,
) -> list[State]:
    """`TrackerFeaturizer._create_states`: the tracker's `past_states`, from the fold kept on it."""
    if type(tracker) is not DialogueStateTracker:  # training's trackers keep their own states
        return tracker.past_states(domain, omit_unset_slots, ignore_rule_only_turns, rule_only_data)
    folds: dict[tuple[bool, bool, str], _Fold] = tracker.__dict__.setdefault(_FOLDS, {})
    key = (omit_unset_slots, ignore_rule_only_turns, repr(rule_only_data))
    fold, new_events = _carried_on(folds.get(key), tracker)
    for event in new_events:
        if isinstance(event, ActionExecuted):
            _step(
                fold,
                domain,
                event.hide_rule_turn,
                omit_unset_slots,
                rule_only_data,
                ml=ignore_rule_only_turns,
            )
        fold.replay.update(event)
        fold.applied.append(event)
    folds[key] = fold
    # The end of the history is a state too, but not one the fold goes on from: the next event decides
    # whether it is followed by an action.
    end = dataclasses.replace(fold, states=list(fold.states))
    _step(end, domain, False, omit_unset_slots, rule_only_data, ml=ignore_rule_only_turns)
    return _copy(end.states)
