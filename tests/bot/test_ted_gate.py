"""TED skipped where a rule or a memorised story decides: the same predictions as Rasa's own ensemble."""

from __future__ import annotations

from rasa.core.agent import Agent
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.shared.core.constants import ACTION_LISTEN_NAME
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected, Event, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot import ted_gate
from bot.graph_runner import InOrderGraphRunner
from tests.bot.conftest import speedups_installed

TED_NODE = "run_TEDPolicy2"
ENSEMBLE_NODE = "select_prediction"


def _prediction(probabilities: list[float], policy: str = "RulePolicy") -> PolicyPrediction:
    return PolicyPrediction(probabilities, policy, 6)


def _tracker(*events: Event) -> DialogueStateTracker:
    return DialogueStateTracker.from_events("gate-test", [ActionExecuted(ACTION_LISTEN_NAME), *events])


def test_a_certain_rule_decides() -> None:
    tracker = _tracker(UserUttered("卡丢了", {"name": "report_lost_card", "confidence": 0.9}))
    assert ted_gate.already_decided(tracker, [_prediction([0.0, 1.0]), _prediction([0.0, 0.0], "Memo")])


def test_a_fallback_or_empty_prediction_does_not_decide() -> None:
    tracker = _tracker(UserUttered("嗯", {"name": "nlu_fallback", "confidence": 0.1}))
    assert not ted_gate.already_decided(tracker, [_prediction([0.3, 0.0]), _prediction([0.0, 0.0])])
    assert not ted_gate.already_decided(tracker, [])


def test_after_a_rejected_action_ted_runs_even_beside_a_certain_rule() -> None:
    tracker = _tracker(ActionExecuted("verification_form"), ActionExecutionRejected("verification_form"))
    assert not ted_gate.already_decided(tracker, [_prediction([1.0, 0.0])])
    tracker.update(ActionExecuted("action_freeze_card"))  # a later action: the rejection is past
    assert ted_gate.already_decided(tracker, [_prediction([1.0, 0.0])])


def test_the_gated_graph_feeds_ted_the_deciding_policies(agents: tuple[Agent, Agent]) -> None:
    plain, gated = agents
    assert isinstance(gated.processor.graph_runner, InOrderGraphRunner)
    schema = gated.processor.graph_runner._graph_schema  # type: ignore[union-attr]
    ted = schema.nodes[TED_NODE]
    assert ted.uses is ted_gate.GatedTEDPolicy
    assert set(ted.needs.values()) >= {"run_RulePolicy0", "run_MemoizationPolicy1", "__tracker__"}
    assert plain.processor.graph_runner._graph_schema.nodes[TED_NODE].uses is TEDPolicy  # type: ignore[union-attr]


def _comparable(prediction: PolicyPrediction) -> tuple[object, ...]:
    events = [{k: v for k, v in e.as_dict().items() if k != "timestamp"} for e in prediction.events]
    return (prediction.probabilities, prediction.policy_name, prediction.is_no_user_prediction, events)


def test_every_prediction_is_rasas_own(
    agents: tuple[Agent, Agent], trackers: list[DialogueStateTracker]
) -> None:
    plain, gated = agents
    ted_ran = ted_skipped = 0
    for tracker in trackers:
        expected = plain.processor._predict_next_with_tracker(tracker.copy())
        with speedups_installed():
            outputs = gated.processor.graph_runner.run(  # type: ignore[union-attr]
                inputs={"__tracker__": tracker.copy()}, targets=[TED_NODE, ENSEMBLE_NODE]
            )
        assert _comparable(outputs[ENSEMBLE_NODE]) == _comparable(expected), tracker.sender_id
        ted_ran += outputs[TED_NODE].max_confidence > 0
        ted_skipped += outputs[TED_NODE].max_confidence == 0
    # Both paths are taken: where a rule or a story decides, and where TED's own prediction is needed.
    assert ted_skipped > 0 and ted_ran > 0
