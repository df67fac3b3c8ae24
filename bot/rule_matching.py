"""RulePolicy's rule matching (Rasa 3.6 `RulePolicy._get_possible_keys`), with the same result for less work.

Rasa matches the conversation's states against every rule (280 in our model), from the latest state back,
keeping the rules that still fit, and the policy asks this two to four times a prediction. Three shortcuts,
each keeping exactly the rules Rasa's walk keeps:
- Most rules already fail on the latest state's previous action or intent. The rules are indexed once by
  what their last state requires of those two, and only the ones that could fit are tested there.
- Rasa walks every state of the tracker, even after no rule is left, or after every rule left is shorter than
  the walk (a rule says nothing of states older than its own, so from there on it always fits). This walk
  stops at either point.
- A rule's state is read in place, where Rasa copies the rule's states, reversed, to look at one of them.
Several rules of the same length may fit; the policy then takes whichever its set yields first, as in Rasa,
where that order already depends on the process's string hashing.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.core.generator import State
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

# Index key: (previous action, intent) a rule's last state requires; None where it requires neither.
_Signature = tuple[str | None, str | None]


def _required(sub_state: dict | None, key: str) -> str | None:
    value = (sub_state or {}).get(key)
    return value if value and value != SHOULD_NOT_BE_SET else None


def _rule_signature(last_state: State) -> _Signature:
    if not last_state.get(PREVIOUS_ACTION):
        return None, None  # a conversation-start rule fits a start whatever its intent: tested every time
    return _required(last_state[PREVIOUS_ACTION], ACTION_NAME), _required(last_state.get(USER), INTENT)


@dataclass
class _RuleIndex:
    lookup: dict[str, str]  # held so that the id it is cached under stays this dict's
    size: int
    by_signature: dict[_Signature, list[str]] = field(default_factory=lambda: defaultdict(list))

    def candidates(self, state: State) -> list[str]:
        """The rules whose last state could fit `state`: the others require another action or intent."""
        action = (state.get(PREVIOUS_ACTION) or {}).get(ACTION_NAME)
        intent = (state.get(USER) or {}).get(INTENT)
        found: list[str] = []
        for signature in {(action, intent), (action, None), (None, intent), (None, None)}:
            found.extend(self.by_signature.get(signature, ()))
        return found


_indexes: dict[int, _RuleIndex] = {}


def _index_of(lookup: dict[str, str]) -> _RuleIndex:
    index = _indexes.get(id(lookup))
    if index is None or index.lookup is not lookup or index.size != len(lookup):
        index = _RuleIndex(lookup, len(lookup))
        for key in lookup:
            rule_states = RulePolicy._rule_key_to_state(key)
            signature = _rule_signature(rule_states[-1]) if rule_states else (None, None)
            index.by_signature[signature].append(key)
        _indexes[id(lookup)] = index
    return index


def _fits(rule_states: list[State], turn_index: int, state: State) -> bool:
    """Rasa's `RulePolicy._is_rule_applicable` for a rule at least `turn_index + 1` states long."""
    rule_state = rule_states[-1 - turn_index]
    rule_previous_action = rule_state.get(PREVIOUS_ACTION)
    current_previous_action = state.get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True  # both are conversation starts
    if not rule_previous_action or not current_previous_action:
        return False  # only one of them is
    return RulePolicy._does_rule_match_state(rule_state, state)


def possible_rule_keys(policy: RulePolicy, lookup: dict[str, str], states: list[State]) -> set[str]:
    """The keys of `lookup` (rules) that fit `states`, as `RulePolicy._get_possible_keys` finds them."""
    if not states:
        return set(lookup)
    keys = _index_of(lookup).candidates(states[-1])
    rules = {key: policy._rule_key_to_state(key) for key in keys}
    for turn_index, state in enumerate(reversed(states)):
        # Rules as long as the walk so far are decided: they fit every older state.
        undecided = [key for key, rule_states in rules.items() if len(rule_states) > turn_index]
        if not undecided:
            break
        for key in undecided:
            if not _fits(rules[key], turn_index, state):
                del rules[key]
    return set(rules)
