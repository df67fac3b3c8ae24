from __future__ import annotations

import pytest

from actions.backends.base import BackendError, CardStatus, Customer
from actions.backends.demo import DemoBackend
from actions.query_balance import ActionQueryBalance
from tests.actions.conftest import METADATA, identity_metadata, make_tracker, sent, user_event


async def test_answers_with_the_back_end_figures(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("额度还有多少", "query_balance", METADATA)])

    events = await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert events == []
    assert sent(dispatcher) == [
        {
            "response": "utter_balance",
            "card_tail": "3456",
            "product": "白金卡",
            "available": "128,800.00",
            "limit": "150,000.00",
        }
    ]


async def test_reads_current_state_not_the_seed(demo_backend: DemoBackend, dispatcher) -> None:
    await demo_backend.set_card_status("C1001", "1234", CardStatus.frozen)
    metadata = identity_metadata("C1001", "standard")
    tracker = make_tracker([user_event("额度", "query_balance", metadata)])

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert dispatcher.messages[0]["available"] == "6,230.50"
    assert dispatcher.messages[0]["limit"] == "10,000.00"


async def test_customer_from_an_earlier_message(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("你好", "greet", METADATA), user_event("额度", "query_balance", {})])

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert dispatcher.messages[0]["card_tail"] == "3456"


async def test_unknown_card_tail(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker(
        [user_event("尾号9999额度", "query_balance", METADATA)], slots={"card_tail": "9999"}
    )

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert sent(dispatcher) == [{"response": "utter_card_not_found", "card_tail": "9999"}]


async def test_without_customer_metadata(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("额度", "query_balance", {})])

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert [m["response"] for m in dispatcher.messages] == ["utter_customer_unknown"]


async def test_unknown_customer(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("额度", "query_balance", identity_metadata("C9999", "standard"))])

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert [m["response"] for m in dispatcher.messages] == ["utter_customer_unknown"]


@pytest.mark.parametrize(
    "metadata",
    [
        # What the REST channel used to believe: plain fields in the caller's metadata.
        {"customer_id": "C1003", "tier": "platinum", "conversation_id": "conv-42"},
        # A real signature, but the numbers changed after signing.
        {"identity": {**METADATA["identity"], "customer_id": "C1001"}},
        # A real signature of another conversation's identity, replayed here.
        identity_metadata("C1003", "platinum", conversation_id="conv-other"),
    ],
)
async def test_a_forged_identity_gets_no_account_data(
    demo_backend: DemoBackend, dispatcher, metadata
) -> None:
    tracker = make_tracker([user_event("额度", "query_balance", metadata)])

    await ActionQueryBalance(demo_backend).run(dispatcher, tracker, {})

    assert [m["response"] for m in dispatcher.messages] == ["utter_customer_unknown"]


class _BrokenBackend:
    async def get_customer(self, customer_id: str) -> Customer:
        raise BackendError("core system down")


async def test_back_end_failure_apologises(dispatcher, caplog) -> None:
    tracker = make_tracker([user_event("额度", "query_balance", METADATA)])

    events = await ActionQueryBalance(_BrokenBackend()).run(dispatcher, tracker, {})

    assert events == []
    assert [m["response"] for m in dispatcher.messages] == ["utter_backend_unavailable"]
    assert "conv-42" in caplog.text
