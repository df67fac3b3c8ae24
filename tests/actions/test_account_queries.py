from __future__ import annotations

from datetime import date, timedelta

from actions.account_queries import (
    ActionQueryPoints,
    ActionQueryTransactions,
    date_matches,
)
from actions.backends.demo import DemoBackend
from actions.policy_answers import ActionAnswerPolicy
from tests.actions.conftest import METADATA, identity_metadata, make_tracker, responses, user_event

C1001 = identity_metadata("C1001", "standard")


async def test_recent_transactions(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("最近的消费", "query_transactions", C1001)])

    await ActionQueryTransactions(demo_backend).run(dispatcher, tracker, {})

    message = dispatcher.messages[0]
    assert (message["response"], message["count"], message["shown"]) == ("utter_transactions_recent", 7, 5)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert message["lines"].splitlines()[0] == f"{yesterday}　美团外卖　45.50元（尾号1234）"


async def test_transactions_filtered_by_amount(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker([user_event("两千块那笔", "query_transactions", C1001, entities={"amount": 2000})])

    await ActionQueryTransactions(demo_backend).run(dispatcher, tracker, {})

    message = dispatcher.messages[0]
    assert (message["response"], message["count"]) == ("utter_transactions_filtered", 1)
    assert "京东商城" in message["lines"]


async def test_transactions_filtered_by_a_day_without_any(demo_backend: DemoBackend, dispatcher) -> None:
    tracker = make_tracker(
        [user_event("1月1号", "query_transactions", C1001, entities={"date": "2020-01-01"})]
    )

    await ActionQueryTransactions(demo_backend).run(dispatcher, tracker, {})

    assert responses(dispatcher) == ["utter_no_transactions"]


def test_date_filters() -> None:
    assert date_matches("2026-11-03", "2026-11")
    assert date_matches("2026-11-03", "2026-11-03")
    assert date_matches("2026-11-03", "2026-W45")
    assert date_matches("2026-11-03", "2026")
    assert not date_matches("2026-11-03", "2026-10")


async def test_points_with_expiry(demo_backend: DemoBackend, dispatcher) -> None:
    await ActionQueryPoints(demo_backend).run(
        dispatcher, make_tracker([user_event("积分", "query_points", C1001)]), {}
    )

    message = dispatcher.messages[0]
    assert (message["response"], message["balance"], message["expiring"]) == (
        "utter_points_expiring",
        3280,
        500,
    )


async def test_points_without_expiry(demo_backend: DemoBackend, dispatcher) -> None:
    await ActionQueryPoints(demo_backend).run(
        dispatcher, make_tracker([user_event("积分", "query_points", METADATA)]), {}
    )

    assert [(m["response"], m["balance"]) for m in dispatcher.messages] == [("utter_points", 86400)]


async def test_policy_answer_by_tier(dispatcher) -> None:
    platinum = make_tracker([user_event("年费多少", "ask_annual_fee", METADATA)])
    unknown_tier = make_tracker([user_event("怎么分期", "ask_installment", {})])

    await ActionAnswerPolicy().run(dispatcher, platinum, {})
    await ActionAnswerPolicy().run(dispatcher, unknown_tier, {})

    assert "白金卡年费" in dispatcher.messages[0]["text"]
    assert "账单分期" in dispatcher.messages[1]["text"]


async def test_trouble_paying_gets_the_options_not_the_general_answer(dispatcher) -> None:
    tracker = make_tracker(
        [
            user_event(
                "手头太紧了，这期还不起怎么办", "ask_repayment", METADATA, entities={"hardship": "cannot_pay"}
            )
        ]
    )

    await ActionAnswerPolicy().run(dispatcher, tracker, {})

    assert [m["response"] for m in dispatcher.messages] == ["utter_repayment_hardship"]


async def test_every_policy_intent_has_an_answer(dispatcher) -> None:
    for intent in (
        "ask_annual_fee",
        "ask_installment",
        "ask_repayment",
        "ask_card_application",
        "ask_service_info",
    ):
        await ActionAnswerPolicy().run(dispatcher, make_tracker([user_event("?", intent, {})]), {})

    assert all(message["text"] for message in dispatcher.messages) and len(dispatcher.messages) == 5
