"""A tracker's past states from the fold kept on it: the states Rasa's replay of the whole history gives,
after every event of every test and training story and of conversations that follow no story."""

from __future__ import annotations

import pytest
from rasa.core.agent import Agent
from rasa.shared.core.constants import ACTION_LISTEN_NAME, USER
from rasa.shared.core.domain import State
from rasa.shared.core.events import (
    ActionExecuted,
    Event,
    Restarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT, TEXT

from bot.past_states import continues, past_states
from tests.bot.trackers import rule_policy

ML = {"ignore_rule_only_turns": True}


def _ways_of_asking(agent: Agent) -> list[dict]:
    """As RulePolicy asks, as MemoizationPolicy and TEDPolicy ask, and with unset slots left out."""
    rule_only_data = rule_policy(agent)._get_rule_only_data()
    return [{}, {**ML, "rule_only_data": rule_only_data}, {"omit_unset_slots": True}]


def _conversations(trackers: list[DialogueStateTracker]) -> list[list[Event]]:
    """The events of each conversation of the compared trackers, once (its longest prefix)."""
    longest: dict[str, DialogueStateTracker] = {}
    for tracker in trackers:
        if len(tracker.events) > len(longest.get(tracker.sender_id, tracker).events):
            longest[tracker.sender_id] = tracker
        longest.setdefault(tracker.sender_id, tracker)
    return [list(tracker.events) for tracker in longest.values()]


def _replayed(agent: Agent, events: list[Event], ways: list[dict]) -> tuple[int, int]:
    """Feed the events one by one to one tracker, as a turn does, comparing the states after each; returns
    how often the events applied grew by the new one, and how often they did not (the fold starts again)."""
    domain = agent.domain
    tracker = DialogueStateTracker.from_events("replayed", [], domain.slots)
    grown = restarted = 0
    for event in events:
        before = tracker.applied_events()
        tracker.update(event)
        if continues(before, tracker.applied_events()):
            grown += 1
        else:
            restarted += 1
        for way in ways:
            assert past_states(tracker, domain, **way) == domain.states_for_tracker_history(tracker, **way), (
                event,
                way,
            )
    return grown, restarted


def test_states_after_every_event_are_rasas(
    agents: tuple[Agent, Agent], trackers: list[DialogueStateTracker]
) -> None:
    plain = agents[0]
    ways = _ways_of_asking(plain)
    conversations = _conversations(trackers)
    grown = restarted = 0
    for events in conversations:
        more, again = _replayed(plain, events, ways)
        grown, restarted = grown + more, restarted + again
    assert len(conversations) > 50
    # Both ways are taken: carrying the fold on, and starting again (forms run again, as Rasa undoes them).
    assert grown > 500
    assert restarted > 0


def test_turns_rules_hid_are_left_out_as_rasa_leaves_them_out(
    agents: tuple[Agent, Agent], trackers: list[DialogueStateTracker]
) -> None:
    """At prediction time an action a rule-only path predicted is hidden from the ML policies' states."""
    plain = agents[0]
    for events in _conversations(trackers)[:40]:
        hidden = [_hidden(event) if number % 2 else event for number, event in enumerate(events)]
        _replayed(plain, hidden, _ways_of_asking(plain))


def _hidden(event: Event) -> Event:
    if not isinstance(event, ActionExecuted) or event.action_name == ACTION_LISTEN_NAME:
        return event
    return ActionExecuted(event.action_name, event.policy, event.confidence, hide_rule_turn=True)


@pytest.mark.parametrize(
    "undo",
    [UserUtteranceReverted(), Restarted()],
    ids=["a reverted utterance", "a restart"],
)
def test_events_that_undo_the_history_start_the_fold_again(agents: tuple[Agent, Agent], undo: Event) -> None:
    domain = agents[0].domain
    tracker = DialogueStateTracker.from_events("undone", [ActionExecuted(ACTION_LISTEN_NAME)], domain.slots)
    for event in [_said("greet"), ActionExecuted("utter_greet"), ActionExecuted(ACTION_LISTEN_NAME)]:
        tracker.update(event)
        past_states(tracker, domain)
    tracker.update(undo)
    tracker.update(_said("goodbye"))
    assert past_states(tracker, domain) == domain.states_for_tracker_history(tracker)


def test_each_caller_gets_states_of_its_own(agents: tuple[Agent, Agent]) -> None:
    """The featurizer edits the states it gets: what one caller changes, the next does not see."""
    domain = agents[0].domain
    tracker = DialogueStateTracker.from_events(
        "edited",
        [ActionExecuted(ACTION_LISTEN_NAME), _said("greet"), SlotSet("card_tail", "1234")],
        domain.slots,
    )
    first = past_states(tracker, domain)
    expected = domain.states_for_tracker_history(tracker)
    _edit(first)
    assert past_states(tracker, domain) == expected


def _said(intent: str) -> UserUttered:
    return UserUttered("…", {"name": intent, "confidence": 1.0})


def _edit(states: list[State]) -> None:
    for state in states:
        state.get(USER, {}).pop(INTENT, None)
        state.setdefault(USER, {})[TEXT] = "edited"
    states.append({})
