"""The bill action on the demo customers seeded for fixed days, so that every date and figure is exact."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions.account_queries import ActionQueryBill
from actions.backends.base import Customer, CustomerNotFound
from actions.backends.demo import seed_customer
from actions.bills import BillReference, find_statement, overdue, statements
from tests.actions.conftest import DEMO_CUSTOMERS, METADATA, identity_metadata, make_tracker, sent, user_event

# C1006's card 6789 has its statement on the 25th, due 20 days later; its previous statement is unpaid.
BEFORE_STATEMENT_DAY = date(2026, 12, 1)
C1006 = identity_metadata("C1006", "gold")
C1001 = identity_metadata("C1001", "standard")


class SeededBackend:
    """The demo customers as the demo back-end seeds them on `today`, read-only."""

    def __init__(self, today: date, **changed: Customer) -> None:
        seed = yaml.safe_load(DEMO_CUSTOMERS.read_text(encoding="utf-8"))
        self.customers = {c["id"]: seed_customer(c, today) for c in seed["customers"]} | changed

    async def get_customer(self, customer_id: str) -> Customer:
        if customer_id not in self.customers:
            raise CustomerNotFound(customer_id)
        return self.customers[customer_id]


async def _ask(
    today: date,
    text: str,
    metadata: dict[str, Any],
    *,
    entities: dict[str, Any] | None = None,
    before: list[dict[str, Any]] | None = None,
    backend: SeededBackend | None = None,
    dispatcher,
) -> list[dict[str, Any]]:
    events = [*(before or []), user_event(text, "query_bill", metadata, entities=entities)]
    tracker = make_tracker(events)
    action = ActionQueryBill(backend or SeededBackend(today), today=lambda: today)
    return await action.run(dispatcher, tracker, {})


def _november_6789(**overrides: Any) -> dict[str, Any]:
    return {
        "card_tail": "6789",
        "period": "2026-11",
        "statement_date": "2026-11-25",
        "due_date": "2026-12-15",
        "amount_due": "2,580.00",
        "minimum_payment": "508.00",
        "paid": "0.00",
        "remaining": "2,580.00",
        **overrides,
    }


def _shown(tail: str, period: str) -> list[dict[str, Any]]:
    """A bill question answered earlier: the customer's message and the slot the action set."""
    value = {"card_tail": tail, "period": period}
    return [
        user_event("账单", "query_bill", METADATA),
        {"event": "slot", "name": "shown_bill", "value": value},
    ]


OCTOBER_6789_OVERDUE = {
    "response": "utter_bill_overdue",
    "days": 17,
    "card_tail": "6789",
    "period": "2026-10",
    "statement_date": "2026-10-25",
    "due_date": "2026-11-14",
    "amount_due": "2,500.00",
    "minimum_payment": "250.00",
    "paid": "0.00",
    "remaining": "2,500.00",
}


@pytest.mark.parametrize(
    ("text", "entities"),
    [
        ("这个月的账单", {"date": "2026-12"}),
        ("本月账单多少", {"date": "2026-12"}),
        ("本期账单", {"bill_cycle": 0}),
        ("这期账单", {"bill_cycle": 0}),
        ("账单", {}),
    ],
)
async def test_this_month_before_the_statement_day_is_the_latest_statement_and_says_overdue(
    dispatcher, text: str, entities: dict[str, Any]
) -> None:
    events = await _ask(BEFORE_STATEMENT_DAY, text, C1006, entities=entities, dispatcher=dispatcher)

    assert sent(dispatcher) == [{"response": "utter_bill", **_november_6789()}, OCTOBER_6789_OVERDUE]
    assert events == [SlotSet("shown_bill", {"card_tail": "6789", "period": "2026-11"})]


async def test_previous_statement_counts_back_one_statement(dispatcher) -> None:
    events = await _ask(
        BEFORE_STATEMENT_DAY, "上期账单", C1006, entities={"bill_cycle": 1}, dispatcher=dispatcher
    )

    # The overdue answer is the whole answer about an overdue statement.
    assert sent(dispatcher) == [OCTOBER_6789_OVERDUE]
    assert events == [SlotSet("shown_bill", {"card_tail": "6789", "period": "2026-10"})]


async def test_a_named_month_is_the_statement_issued_then(dispatcher) -> None:
    await _ask(BEFORE_STATEMENT_DAY, "10月账单", C1006, entities={"date": "2026-10"}, dispatcher=dispatcher)

    assert sent(dispatcher) == [OCTOBER_6789_OVERDUE]


async def test_a_statement_further_back_than_there_are_is_no_bill(dispatcher) -> None:
    events = await _ask(
        BEFORE_STATEMENT_DAY, "上上期账单", C1006, entities={"bill_cycle": 2}, dispatcher=dispatcher
    )

    assert (sent(dispatcher), events) == ([{"response": "utter_no_bill"}], [])


async def test_after_the_statement_day_this_month_is_the_new_statement(dispatcher) -> None:
    # C1001's card 1234: statement on the 5th, the latest one unpaid but not yet due.
    await _ask(date(2026, 12, 10), "这个月账单", C1001, entities={"date": "2026-12"}, dispatcher=dispatcher)

    assert sent(dispatcher) == [
        {
            "response": "utter_bill",
            "card_tail": "1234",
            "period": "2026-12",
            "statement_date": "2026-12-05",
            "due_date": "2026-12-25",
            "amount_due": "3,769.50",
            "minimum_payment": "376.95",
            "paid": "0.00",
            "remaining": "3,769.50",
        }
    ]


async def test_follow_ups_answer_from_the_bill_just_shown(dispatcher) -> None:
    shown = _shown("6789", "2026-11")

    for text in ("最低还多少", "哪天截止", "还清了没有"):
        events = await _ask(BEFORE_STATEMENT_DAY, text, C1006, before=shown, dispatcher=dispatcher)
        assert events == [SlotSet("shown_bill", {"card_tail": "6789", "period": "2026-11"})]

    assert sent(dispatcher) == [
        {"response": "utter_bill_minimum", **_november_6789()},
        OCTOBER_6789_OVERDUE,
        {"response": "utter_bill_due", **_november_6789()},
        OCTOBER_6789_OVERDUE,
        {"response": "utter_bill_unsettled", **_november_6789()},
        OCTOBER_6789_OVERDUE,
    ]


async def test_follow_up_about_a_paid_bill_just_shown(dispatcher) -> None:
    shown = _shown("1234", "2026-10")

    await _ask(BEFORE_STATEMENT_DAY, "还清了没有", C1001, before=shown, dispatcher=dispatcher)

    assert [(m["response"], m["period"], m["remaining"]) for m in sent(dispatcher)] == [
        ("utter_bill_paid", "2026-10", "0.00")
    ]


async def test_a_new_reference_is_not_a_follow_up(dispatcher) -> None:
    await _ask(
        BEFORE_STATEMENT_DAY,
        "上期最低还多少",
        C1006,
        entities={"bill_cycle": 1},
        before=_shown("6789", "2026-11"),
        dispatcher=dispatcher,
    )

    assert [m["period"] for m in sent(dispatcher)] == ["2026-10"]


async def test_a_bill_shown_long_ago_is_not_what_a_new_question_is_about(dispatcher) -> None:
    long_ago = [
        *_shown("1234", "2026-10"),
        *[user_event("谢谢", "thank", C1001) for _ in range(3)],
    ]

    await _ask(date(2026, 12, 10), "账单多少", C1001, before=long_ago, dispatcher=dispatcher)

    assert [(m["response"], m["period"]) for m in sent(dispatcher)] == [("utter_bill", "2026-12")]


async def test_spending_not_yet_on_a_statement_is_not_called_no_bill(dispatcher) -> None:
    backend = SeededBackend(BEFORE_STATEMENT_DAY)
    customer = backend.customers["C1001"]
    spent = tuple(replace(c, available_credit=4200.0) if c.tail == "1111" else c for c in customer.cards)
    backend.customers["C1001"] = replace(customer, cards=spent)

    await _ask(
        BEFORE_STATEMENT_DAY,
        "尾号1111的账单",
        C1001,
        entities={"card_tail": "1111"},
        backend=backend,
        dispatcher=dispatcher,
    )

    assert sent(dispatcher) == [{"response": "utter_bill_not_issued", "card_tail": "1111", "owed": "800.00"}]


def test_overdue_is_counted_from_the_earliest_missed_due_date() -> None:
    customer = SeededBackend(date(2026, 12, 20)).customers["C1006"]
    newest_first = statements(customer.bills, "6789")

    late = overdue(newest_first, "6789", date(2026, 12, 20))

    # Both statements are past due by now; the October one was missed first.
    assert late is not None and (late.bill.period, late.days) == ("2026-10", 36)
    assert find_statement(newest_first, BillReference(), date(2026, 12, 20)).period == "2026-11"


def test_only_a_card_that_does_not_repay_on_time_is_seeded_overdue() -> None:
    # On the 28th, C1001's latest statement (the 5th, due the 25th) is past due: seeded as repaid.
    customers = SeededBackend(date(2026, 11, 28)).customers
    c1001 = statements(customers["C1001"].bills, "1234")

    assert [(b.period, b.paid == b.amount_due) for b in c1001] == [("2026-11", True), ("2026-10", True)]
    assert overdue(c1001, "1234", date(2026, 11, 28)) is None
    assert overdue(statements(customers["C1006"].bills, "6789"), "6789", date(2026, 11, 28)) is not None


def test_paying_the_minimum_ends_overdue() -> None:
    customer = SeededBackend(BEFORE_STATEMENT_DAY).customers["C1006"]
    paid = tuple(replace(b, paid=b.minimum_payment) if b.period == "2026-10" else b for b in customer.bills)

    assert overdue(statements(paid, "6789"), "6789", BEFORE_STATEMENT_DAY) is None
