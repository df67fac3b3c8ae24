"""Which statement a customer means, and whether a card is overdue: pure rules over the back-end's bills.

A bill is a statement: issued on its statement date, named by the month it was issued in (its period).
"本期/这期账单" and "这个月的账单" mean the statement most recently issued, which before the card's statement
day is last month's; "上期" counts back one statement. A named month ("10月账单") is the statement issued
then.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from actions.backends.base import Bill


@dataclass(frozen=True)
class BillReference:
    """What the customer's message says about the statement; all None means "the current one"."""

    cycle: int | None = None  # statements back from the latest (本期 0, 上期 1)
    on: str | None = None  # the extractor's date: YYYY-MM-DD, YYYY-MM, YYYY-Www or YYYY


@dataclass(frozen=True)
class Overdue:
    bill: Bill  # the earliest statement whose minimum payment was not made by its due date
    days: int


def statements(bills: tuple[Bill, ...], tail: str | None) -> list[Bill]:
    """The card's statements, newest first; of every card when no tail is known."""
    chosen = [bill for bill in bills if tail is None or bill.card_tail == tail]
    return sorted(chosen, key=lambda bill: bill.statement_date, reverse=True)


def find_statement(newest_first: list[Bill], reference: BillReference, today: date) -> Bill | None:
    if not newest_first:
        return None
    if reference.cycle is not None:
        return newest_first[reference.cycle] if reference.cycle < len(newest_first) else None
    if reference.on is not None and len(reference.on) == 4:
        return next((bill for bill in newest_first if bill.period.startswith(reference.on)), None)
    month = _month(reference.on)
    if month is None:
        return newest_first[0]
    named = next((bill for bill in newest_first if bill.period == month), None)
    if named is None and month >= f"{today.year:04d}-{today.month:02d}":
        # This month's statement is not issued yet: the customer means the one they have to pay now.
        return newest_first[0]
    return named


def _month(on: str | None) -> str | None:
    """The month a date reference names; None for a week, which names no statement."""
    if on is None or "-W" in on:
        return None
    return on[:7]


def remaining(bill: Bill) -> float:
    return round(max(bill.amount_due - bill.paid, 0.0), 2)


def overdue(newest_first: list[Bill], tail: str, today: date) -> Overdue | None:
    """The card's overdue state: its earliest statement past due without the minimum paid."""
    late = [
        bill
        for bill in newest_first
        if bill.card_tail == tail
        and date.fromisoformat(bill.due_date) < today
        and bill.paid < bill.minimum_payment
    ]
    if not late:
        return None
    earliest = late[-1]
    return Overdue(bill=earliest, days=(today - date.fromisoformat(earliest.due_date)).days)
