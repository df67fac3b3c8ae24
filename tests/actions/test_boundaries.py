from __future__ import annotations

from actions.boundaries import ActionRefuseNotOwnCard
from tests.actions.conftest import METADATA, make_tracker, responses, user_event


async def test_someone_elses_card_and_another_banks_are_refused_as_such(dispatcher) -> None:
    for kind in ("someone_else", "other_bank"):
        tracker = make_tracker([user_event("…", "query_bill", METADATA, entities={"not_own_card": kind})])
        await ActionRefuseNotOwnCard().run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_not_own_card_someone_else", "utter_not_own_card_other_bank"]
