from __future__ import annotations

from actions.empathy import acknowledge_emotion, acknowledgement
from tests.actions.conftest import METADATA, make_tracker, responses, user_event


def test_anger_is_the_emotion_entity() -> None:
    angry = make_tracker([user_event("气死我了", "complain", METADATA, entities={"emotion": "angry"})])

    assert acknowledgement(angry) == "utter_acknowledge_anger"


def test_worry_is_worded() -> None:
    worried = make_tracker([user_event("急死了！卡被偷了", "report_lost_card", METADATA)])

    assert acknowledgement(worried) == "utter_acknowledge_worry"


def test_a_calm_message_needs_none(dispatcher) -> None:
    acknowledge_emotion(dispatcher, make_tracker([user_event("查下账单", "query_bill", METADATA)]))

    assert dispatcher.messages == []


def test_once_per_turn(dispatcher) -> None:
    tracker = make_tracker(
        [
            user_event("急死了", "report_lost_card", METADATA),
            {"event": "bot", "text": "别着急", "metadata": {"utter_action": "utter_acknowledge_worry"}},
        ]
    )

    acknowledge_emotion(dispatcher, tracker)

    assert responses(dispatcher) == []
