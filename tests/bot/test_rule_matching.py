"""RulePolicy's rules matched through the index: the same rules as Rasa's own walk, on every tracker state."""

from __future__ import annotations

import json

from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, USER
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import ACTION_NAME, ACTION_TEXT, INTENT

from bot.rule_matching import possible_rule_keys
from tests.bot.trackers import rule_policy


def test_every_tracker_matches_the_rules_rasa_matches(
    agents: tuple[Agent, Agent], trackers: list[DialogueStateTracker]
) -> None:
    plain = agents[0]
    policy = rule_policy(plain)
    assert policy._get_possible_keys.__func__ is not possible_rule_keys  # compared with Rasa's own walk
    fitting = 0
    for tracker in trackers:
        for use_text in (True, False):
            states = policy._prediction_states(
                tracker, plain.domain, use_text, rule_only_data=policy._get_rule_only_data()
            )
            for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
                expected = policy._get_possible_keys(policy.lookup[table], states)
                assert possible_rule_keys(policy, policy.lookup[table], states) == expected, tracker.sender_id
                fitting += bool(expected)
    assert (
        fitting > len(trackers) / 2
    )  # most predictions after a user turn or an action have a rule that fits


def _rule(*states: dict) -> str:
    """A rule's key: its states as JSON."""
    return json.dumps(list(states))


def test_rules_that_require_no_action_name_or_no_intent_are_found(agents: tuple[Agent, Agent]) -> None:
    policy = rule_policy(agents[0])
    listened = {PREVIOUS_ACTION: {ACTION_NAME: ACTION_LISTEN_NAME}}
    greet, deny = {USER: {INTENT: "greet"}}, {USER: {INTENT: "deny"}}
    said_ok = {PREVIOUS_ACTION: {ACTION_TEXT: "好的"}}
    start, any_intent, that_intent = _rule(greet), _rule(listened), _rule({**listened, **greet})
    other_intent, other_action = (
        _rule({**listened, **deny}),
        _rule({PREVIOUS_ACTION: {ACTION_NAME: "utter_x"}}),
    )
    after_ok, after_ok_greet = _rule(said_ok), _rule({**said_ok, **greet})
    rules = (start, any_intent, that_intent, other_intent, other_action, after_ok, after_ok_greet)
    lookup = {rule: rule for rule in rules}
    greeted = [{**listened, **greet}]
    # A state with both an action's name and its text: the rules that require only the text fit it.
    greeted_after_ok = [{PREVIOUS_ACTION: {ACTION_NAME: "utter_x", ACTION_TEXT: "好的"}, **greet}]
    for states in ([], [greet], greeted, [{}, *greeted], greeted_after_ok):
        assert possible_rule_keys(policy, lookup, states) == policy._get_possible_keys(lookup, states), states
    assert possible_rule_keys(policy, lookup, greeted) == {any_intent, that_intent}
    assert possible_rule_keys(policy, lookup, [greet]) == {start}
    assert possible_rule_keys(policy, lookup, greeted_after_ok) == {other_action, after_ok, after_ok_greet}
