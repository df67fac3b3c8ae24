"""Bill, transactions and points: answers with the back-end's figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.account import CustomerReadAction, format_amount
from actions.backends.base import Customer, Transaction
from actions.knowledge import get_knowledge

MAX_TRANSACTIONS = 5
# A spoken amount ("两千块那笔") matches a charge within this many yuan.
AMOUNT_TOLERANCE = 1.0


def latest_entity(tracker: Tracker, entity: str) -> Any:
    """The entity from this message only: a date said three turns ago must not filter today's question."""
    return next(tracker.get_latest_entity_values(entity), None)


def date_matches(txn_date: str, wanted: str) -> bool:
    """`wanted` is the extractor's normalised date: YYYY-MM-DD, YYYY-MM, YYYY-Www (ISO week) or YYYY."""
    if "-W" in wanted:
        year, week, _ = date.fromisoformat(txn_date).isocalendar()
        return f"{year}-W{week:02d}" == wanted
    return txn_date.startswith(wanted)


def filter_transactions(
    transactions: tuple[Transaction, ...], *, on: str | None, amount: float | None, tail: str | None
) -> list[Transaction]:
    return [
        txn
        for txn in sorted(transactions, key=lambda t: t.date, reverse=True)
        if (on is None or date_matches(txn.date, on))
        and (amount is None or abs(abs(txn.amount) - amount) <= AMOUNT_TOLERANCE)
        and (tail is None or txn.card_tail == tail)
    ]


def _number(value: Any) -> float | None:
    try:
        return float(value) if value is not None else None
    except (TypeError, ValueError):
        return None


class ActionQueryBill(CustomerReadAction):
    def name(self) -> str:
        return "action_query_bill"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer: Customer) -> None:
        tail = tracker.get_slot("card_tail")
        wanted = latest_entity(tracker, "date")
        bills = [bill for bill in customer.bills if tail is None or bill.card_tail == tail]
        if wanted:
            bills = [bill for bill in bills if bill.period.startswith(str(wanted)[:7])]
        if not bills:
            dispatcher.utter_message(response="utter_no_bill")
            return
        bill = max(bills, key=lambda b: b.period)
        remaining = max(bill.amount_due - bill.paid, 0.0)
        dispatcher.utter_message(
            response="utter_bill" if remaining > 0 else "utter_bill_paid",
            card_tail=bill.card_tail,
            period=bill.period,
            statement_date=bill.statement_date,
            due_date=bill.due_date,
            amount_due=format_amount(bill.amount_due),
            minimum_payment=format_amount(bill.minimum_payment),
            remaining=format_amount(remaining),
        )


class ActionQueryTransactions(CustomerReadAction):
    def name(self) -> str:
        return "action_query_transactions"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer: Customer) -> None:
        on = latest_entity(tracker, "date")
        amount = _number(latest_entity(tracker, "amount"))
        tail = latest_entity(tracker, "card_tail")
        found = filter_transactions(customer.transactions, on=on, amount=amount, tail=tail)
        if not found:
            dispatcher.utter_message(response="utter_no_transactions")
            return
        line = get_knowledge().formats["transaction_line"]
        lines = "\n".join(
            line.format(
                date=t.date, merchant=t.merchant, amount=format_amount(t.amount), card_tail=t.card_tail
            )
            for t in found[:MAX_TRANSACTIONS]
        )
        response = "utter_transactions_filtered" if (on or amount) else "utter_transactions_recent"
        dispatcher.utter_message(
            response=response, count=len(found), shown=min(len(found), MAX_TRANSACTIONS), lines=lines
        )


class ActionQueryPoints(CustomerReadAction):
    def name(self) -> str:
        return "action_query_points"

    def answer(self, dispatcher: CollectingDispatcher, tracker: Tracker, customer: Customer) -> None:
        points = customer.points
        if points.expiring and points.expiring_on:
            dispatcher.utter_message(
                response="utter_points_expiring",
                balance=points.balance,
                expiring=points.expiring,
                expiring_on=points.expiring_on,
            )
        else:
            dispatcher.utter_message(response="utter_points", balance=points.balance)
