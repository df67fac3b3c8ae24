from __future__ import annotations

from actions.boundaries import ActionRefuseNotOwnCard
from tests.actions.conftest import METADATA, make_tracker, responses, user_event


async def test_someone_elses_card_and_another_banks_are_refused_as_such(dispatcher) -> None:
    for kind in ("someone_else", "other_bank"):
        tracker = make_tracker([user_event("…", "query_bill", METADATA, entities={"not_own_card": kind})])
        await ActionRefuseNotOwnCard().run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_not_own_card_someone_else", "utter_not_own_card_other_bank"]


async def test_an_account_question_with_a_tail_too_is_refused_not_answered(demo_backend, dispatcher) -> None:
    from actions.query_balance import ActionQueryBalance

    entities = {"not_own_card": "someone_else", "card_tail": "2345"}
    tracker = make_tracker(
        [user_event("…", "query_balance", METADATA, entities=entities)], slots={"card_tail": "2345"}
    )

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_not_own_card_someone_else"]
