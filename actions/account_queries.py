"""Bill, transactions and points: answers with the back-end's figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.account import BackendAction, CustomerReadAction, format_amount
from actions.backends.base import AccountBackend, Bill, Customer, Transaction
from actions.bills import BillReference, Overdue, find_statement, overdue, remaining, statements
from actions.knowledge import get_knowledge
from bot.normalization import normalize

MAX_TRANSACTIONS = 5
# A spoken amount ("两千块那笔") matches a charge within this many yuan.
AMOUNT_TOLERANCE = 1.0
# A follow-up counts as one within this many customer messages (the current one included) of the bill.
FOLLOW_UP_TURNS = 3
# A question about one part of an unpaid bill (knowledge file, bill_question_words) gets that part.
FOCUSED_BILL_RESPONSES = {
    "minimum": "utter_bill_minimum",
    "due": "utter_bill_due",
    "settled": "utter_bill_unsettled",
}


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


class ActionQueryBill(BackendAction):
    """The statement the customer means (actions/bills.py), or a follow-up about the one just shown.

    The shown statement is kept in the `shown_bill` slot, so "最低还多少" or "还清了没有" after a bill answers
    from that bill. An overdue card says so with every answer, with what to do now.
    """

    def __init__(self, backend: AccountBackend | None = None, today: Callable[[], date] = date.today) -> None:
        super().__init__(backend)
        self._today = today

    def name(self) -> str:
        return "action_query_bill"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        customer = await self.load_customer(dispatcher, tracker)
        if customer is None:
            return []
        today = self._today()
        reference = BillReference(
            # The last statement named: "不是这期，我要看上期的" means 上期.
            cycle=_integer(next(reversed(list(tracker.get_latest_entity_values("bill_cycle"))), None)),
            on=latest_entity(tracker, "date"),
        )
        shown = recently_shown_bill(tracker)
        tail = latest_entity(tracker, "card_tail")
        if isinstance(shown, dict) and reference == BillReference() and tail is None:
            newest_first = statements(customer.bills, shown.get("card_tail"))
            bill = next((b for b in newest_first if b.period == shown.get("period")), None)
        else:
            newest_first = statements(customer.bills, tail or tracker.get_slot("card_tail"))
            bill = find_statement(newest_first, reference, today)
        if bill is None:
            _no_statement(dispatcher, customer, tail or tracker.get_slot("card_tail"), newest_first)
            return []
        _utter_bill(dispatcher, bill, _focus(tracker), overdue(newest_first, bill.card_tail, today))
        return [SlotSet("shown_bill", {"card_tail": bill.card_tail, "period": bill.period})]


def recently_shown_bill(tracker: Tracker) -> dict[str, Any] | None:
    """The bill shown within the last FOLLOW_UP_TURNS customer messages: the one a follow-up is about.
    Older, a question without a reference means the current statement again, not a stale one."""
    messages = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            messages += 1
            if messages > FOLLOW_UP_TURNS:
                return None
        elif event.get("event") == "slot" and event.get("name") == "shown_bill":
            value = event.get("value")
            return value if isinstance(value, dict) else None
    return None


def _integer(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _focus(tracker: Tracker) -> str | None:
    """Which part of the bill the question is about (minimum, due, settled), if only one part."""
    text = normalize(tracker.latest_message.get("text") or "").text
    words = get_knowledge().bill_question_words
    return next((focus for focus, forms in words.items() if any(form in text for form in forms)), None)


def _bill_figures(bill: Bill) -> dict[str, Any]:
    return {
        "card_tail": bill.card_tail,
        "period": bill.period,
        "statement_date": bill.statement_date,
        "due_date": bill.due_date,
        "amount_due": format_amount(bill.amount_due),
        "minimum_payment": format_amount(bill.minimum_payment),
        "paid": format_amount(bill.paid),
        "remaining": format_amount(remaining(bill)),
    }


def _utter_bill(
    dispatcher: CollectingDispatcher, bill: Bill, focus: str | None, late: Overdue | None
) -> None:
    if late is not None and late.bill == bill:
        # The overdue answer holds every figure of this bill: nothing else to say first.
        dispatcher.utter_message(response="utter_bill_overdue", days=late.days, **_bill_figures(bill))
        return
    if remaining(bill) <= 0:
        response = "utter_bill_paid"  # a paid bill answers every question about it (all its figures)
    else:
        response = FOCUSED_BILL_RESPONSES.get(focus or "", "utter_bill")
    dispatcher.utter_message(response=response, **_bill_figures(bill))
    if late is not None:
        dispatcher.utter_message(response="utter_bill_overdue", days=late.days, **_bill_figures(late.bill))


def _no_statement(
    dispatcher: CollectingDispatcher, customer: Customer, tail: str | None, newest_first: list[Bill]
) -> None:
    card = customer.card(tail) if tail else None
    if not newest_first and card is not None and card.owed > 0:
        # Spending not yet on a statement is still money owed: never "no bill" without saying so.
        dispatcher.utter_message(
            response="utter_bill_not_issued", card_tail=card.tail, owed=format_amount(card.owed)
        )
        return
    dispatcher.utter_message(response="utter_no_bill")


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
