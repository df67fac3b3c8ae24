from __future__ import annotations

import pytest
from rasa.shared.nlu.training_data.message import Message

from bot.components.security_clarifier import SECURITY_UNSURE_INTENT, SecurityClarifier


def _message(*ranking: tuple[str, float]) -> Message:
    entries = [{"name": name, "confidence": confidence} for name, confidence in ranking]
    return Message(data={"text": "…", "intent": entries[0], "intent_ranking": entries})


@pytest.fixture
def clarifier(model_storage, resource, execution_context) -> SecurityClarifier:
    config = {**SecurityClarifier.get_default_config(), "margin": 0.15}
    return SecurityClarifier.create(config, model_storage, resource, execution_context)


@pytest.mark.parametrize(
    "ranking",
    [
        (("complain", 0.4), ("report_lost_card", 0.3)),
        (("dispute_transaction", 0.33), ("freeze_card", 0.3)),
        (("freeze_card", 0.42), ("unfreeze_card", 0.36)),
    ],
)
def test_close_call_around_security_becomes_unsure(clarifier: SecurityClarifier, ranking) -> None:
    message = _message(*ranking)

    clarifier.process([message])

    assert message.get("intent") == {"name": SECURITY_UNSURE_INTENT, "confidence": ranking[0][1]}
    # The ranking is kept behind it, so the dialogue can offer the two candidates.
    assert [e["name"] for e in message.get("intent_ranking")] == [
        SECURITY_UNSURE_INTENT,
        ranking[0][0],
        ranking[1][0],
    ]


@pytest.mark.parametrize(
    "ranking",
    [
        (("complain", 0.6), ("report_lost_card", 0.3)),  # confident
        (("report_lost_card", 0.45), ("dispute_transaction", 0.4)),  # security first: its flow confirms
        (("query_bill", 0.4), ("ask_repayment", 0.35)),  # close, but no security intent
        (("nlu_fallback", 0.2), ("report_lost_card", 0.15), ("complain", 0.1)),  # not understood at all
    ],
)
def test_other_predictions_are_left_alone(clarifier: SecurityClarifier, ranking) -> None:
    message = _message(*ranking)

    clarifier.process([message])

    assert message.get("intent")["name"] == ranking[0][0]
    assert len(message.get("intent_ranking")) == len(ranking)
