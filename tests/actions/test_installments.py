from __future__ import annotations

from rasa_sdk.events import FollowupAction, SlotSet

from actions.backends.base import Transaction
from actions.backends.demo import DemoBackend
from actions.installments import ActionInstallment, mentioned_periods, named_transaction
from actions.knowledge import get_knowledge
from contract.names import TicketCategory
from tests.actions.conftest import identity_metadata, make_tracker, responses, user_event
from tests.actions.test_tickets import FakeTicketClient

C1002 = identity_metadata("C1002", "gold")
RATES = get_knowledge().installment_fee_rates
SPENDING = (
    Transaction(card_tail="2345", date="2026-11-29", merchant="携程旅行", amount=3680),
    Transaction(card_tail="2345", date="2026-11-26", merchant="盒马鲜生", amount=186.7),
    Transaction(card_tail="2345", date="2026-11-05", merchant="信用卡还款", amount=-6120.3),
)


def _quoted(offer: dict) -> list[dict]:
    return [user_event("那笔能分期吗", "ask_installment", C1002), SlotSet("installment_offer", offer)]


def test_periods_in_digits_or_chinese_numerals() -> None:
    assert mentioned_periods("可以，分12期", RATES) == 12
    assert mentioned_periods("分六期吧", RATES) == 6
    assert mentioned_periods("这期账单", RATES) is None
    assert mentioned_periods("分5期", RATES) is None  # not offered


def test_transaction_named_by_amount_merchant_or_day() -> None:
    assert named_transaction(SPENDING, "那笔3680的能分期吗", amount=None, on=None) == SPENDING[0]
    assert named_transaction(SPENDING, "盒马那笔能分期吗", amount=None, on=None) == SPENDING[1]
    assert named_transaction(SPENDING, "那笔能分期吗", amount=None, on="2026-11-26") == SPENDING[1]
    assert named_transaction(SPENDING, "账单能分期吗", amount=None, on=None) is None


async def test_quote_then_agreement_files_the_request(demo_backend: DemoBackend, dispatcher) -> None:
    client = FakeTicketClient()
    action = ActionInstallment(demo_backend, client)

    asked = make_tracker([user_event("携程那笔3680的能不能分6期", "ask_installment", C1002)])
    quoted = await action.run(dispatcher, asked, {})
    offer = quoted[1]["value"]
    agreed = make_tracker(
        [*_quoted(offer), user_event("好的，就这么办", "affirm", C1002)],
        slots={"pending_offer": "installment", "installment_offer": offer},
    )
    filed = await action.run(dispatcher, agreed, {})

    assert quoted[0] == SlotSet("pending_offer", "installment")
    assert (offer["merchant"], offer["amount"], offer["periods"]) == ("携程旅行", 3680, 6)
    assert "分6期" in dispatcher.messages[0]["lines"] and "分3期" not in dispatcher.messages[0]["lines"]
    assert responses(dispatcher) == ["utter_installment_quote", "utter_installment_filed"]
    assert [r.category for r in client.created] == [TicketCategory.CALLBACK]
    assert "分6期" in client.created[0].description and "携程旅行" in client.created[0].description
    assert filed[:2] == [SlotSet("pending_offer", None), SlotSet("installment_offer", None)]


async def test_a_yes_long_after_the_quote_is_no_agreement(demo_backend: DemoBackend, dispatcher) -> None:
    offer = {"card_tail": "2345", "date": "2026-11-29", "merchant": "携程旅行", "amount": 3680, "periods": 6}
    later = make_tracker(
        [*_quoted(offer), user_event("查下积分", "query_points", C1002), user_event("好的", "affirm", C1002)],
        slots={"pending_offer": "installment", "installment_offer": offer},
    )
    client = FakeTicketClient()

    events = await ActionInstallment(demo_backend, client).run(dispatcher, later, {})

    assert events == [SlotSet("pending_offer", None), FollowupAction("utter_anything_else")]
    assert client.created == []


async def test_no_named_transaction_gets_the_policy_answer(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("分期手续费怎么算", "ask_installment", C1002)])

    await ActionInstallment(demo_backend, FakeTicketClient()).run(dispatcher, tracker, {})

    assert "分期" in dispatcher.messages[0]["text"]
