"""TEDPolicy skipped where RulePolicy or MemoizationPolicy has already decided. Same predictions.

Rasa 3.6 runs every policy at every prediction, then its ensemble keeps the prediction of highest
(confidence, priority). A rule or a memorised story predicts with confidence 1.0, and both policies rank
above TED (priority 6 and 3 against 1), so TED's prediction, at most 1.0, cannot win beside one of them; yet
TED took about 70% of each prediction's time (featurising the tracker, then TensorFlow). In the prediction
graph the TED node is given the rule and memoisation nodes' predictions as inputs, and returns Rasa's empty
prediction (all zeros, as TED does without a model) when one of them is certain.

TED is still run where its prediction could matter:
- after an ActionExecutionRejected, since the ensemble then zeroes the rejected action in every prediction,
  which may be the one a rule was certain of;
- when TED predicts from text only (end-to-end), since such predictions overrule intent-based ones.
Only the server's prediction graph changes: the trained model, training and `rasa test` are Rasa's own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.policies.ted_policy import TEDPolicy
from rasa.engine.graph import GraphSchema
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, ActionExecutionRejected
from rasa.shared.core.trackers import DialogueStateTracker

CERTAIN = 1.0  # the confidence of a rule's or a memorised story's prediction
DECIDING_POLICIES = (RulePolicy, MemoizationPolicy)


class GatedTEDPolicy(TEDPolicy):
    """TEDPolicy that stands aside when a deciding policy's prediction, passed in by the graph, is certain."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: dict[str, Any] | None = None,
        precomputations: Any = None,
        **decided: Any,
    ) -> PolicyPrediction:
        if not self.only_e2e and already_decided(tracker, decided.values()):
            return self._prediction(self._default_predictions(domain))
        return super().predict_action_probabilities(tracker, domain, rule_only_data, precomputations)

    def _prediction(self, probabilities: list[float], *args: Any, **kwargs: Any) -> PolicyPrediction:
        prediction = super()._prediction(probabilities, *args, **kwargs)
        prediction.policy_name = TEDPolicy.__name__  # trackers record the policy the model was trained with
        return prediction


def already_decided(tracker: DialogueStateTracker, predictions: Iterable[Any]) -> bool:
    """Whether one of the predictions is certain and the ensemble will keep it as it is."""
    if _last_action_was_rejected(tracker):
        return False
    return any(isinstance(p, PolicyPrediction) and p.max_confidence >= CERTAIN for p in predictions)


def _last_action_was_rejected(tracker: DialogueStateTracker) -> bool:
    for event in reversed(tracker.events):
        if isinstance(event, (ActionExecutionRejected, ActionExecuted)):
            return isinstance(event, ActionExecutionRejected)
    return False


def gated_schema(schema: GraphSchema) -> GraphSchema:
    """The prediction graph with each TED node fed the predictions of the deciding policies' nodes."""
    predictors = {
        name: node for name, node in schema.nodes.items() if node.fn == "predict_action_probabilities"
    }
    deciding = {
        f"decided_by_{name}": name
        for name, node in predictors.items()
        if issubclass(node.uses, DECIDING_POLICIES)
    }
    if not deciding:
        return schema
    nodes = dict(schema.nodes)
    for name, node in predictors.items():
        if node.uses is TEDPolicy:
            nodes[name] = dataclasses.replace(node, uses=GatedTEDPolicy, needs={**node.needs, **deciding})
    return GraphSchema(nodes)
