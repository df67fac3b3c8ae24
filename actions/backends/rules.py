"""What each card operation does to a card: the demo back-end's business rules, kept pure."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from actions.backends.base import Card, CardOperation, CardStatus, OperationRefused

# Which statuses each status-changing operation accepts, and the status it leaves.
_TRANSITIONS: dict[CardOperation, tuple[frozenset[CardStatus], CardStatus]] = {
    CardOperation.activate: (frozenset({CardStatus.inactive}), CardStatus.active),
    CardOperation.report_lost: (
        frozenset({CardStatus.active, CardStatus.frozen, CardStatus.inactive}),
        CardStatus.lost,
    ),
    CardOperation.freeze: (frozenset({CardStatus.active}), CardStatus.frozen),
    CardOperation.unfreeze: (frozenset({CardStatus.frozen}), CardStatus.active),
    # The new card is mailed unactivated; the demo keeps the tail (a real core system issues a new number).
    CardOperation.replace: (
        frozenset({CardStatus.active, CardStatus.frozen, CardStatus.lost, CardStatus.inactive}),
        CardStatus.inactive,
    ),
    CardOperation.reset_password: (
        frozenset({CardStatus.active, CardStatus.frozen, CardStatus.inactive}),
        CardStatus.active,
    ),
    CardOperation.cancel: (
        frozenset({CardStatus.active, CardStatus.frozen, CardStatus.inactive}),
        CardStatus.cancelled,
    ),
}
TEMPORARY_LIMIT_FACTOR = 1.5  # a temporary limit up to 150% of the credit limit
PERMANENT_LIMIT_FACTOR = 1.2  # a permanent raise up to 120% without a manual review
TEMPORARY_LIMIT_DAYS = 30


def target_limit(card: Card, amount: float) -> float:
    """`amount` above the current limit is the wanted limit ("提到5万");
    at or below it, the raise itself ("提5000")."""
    return amount if amount > card.credit_limit else card.credit_limit + amount


def apply_operation(card: Card, operation: CardOperation, *, amount: float | None, today: date) -> Card:
    if operation in (CardOperation.raise_temporary_limit, CardOperation.raise_permanent_limit):
        return _raise_limit(card, operation, amount, today)
    accepted, result = _TRANSITIONS[operation]
    if card.status not in accepted:
        raise OperationRefused("invalid_state")
    if operation is CardOperation.cancel and card.owed > 0:
        raise OperationRefused("outstanding_balance")
    if operation is CardOperation.reset_password:
        return card
    return replace(card, status=result)


def _raise_limit(card: Card, operation: CardOperation, amount: float | None, today: date) -> Card:
    if card.status is not CardStatus.active:
        raise OperationRefused("invalid_state")
    if amount is None or amount <= 0:
        raise OperationRefused("amount_required")
    wanted = target_limit(card, amount)
    if operation is CardOperation.raise_temporary_limit:
        ceiling = round(card.credit_limit * TEMPORARY_LIMIT_FACTOR, 2)
        if wanted > ceiling:
            raise OperationRefused("limit_too_high", max_amount=ceiling)
        until = (today + timedelta(days=TEMPORARY_LIMIT_DAYS)).isoformat()
        raised = wanted - (card.temporary_limit or card.credit_limit)
        return replace(
            card,
            temporary_limit=wanted,
            temporary_limit_until=until,
            available_credit=round(card.available_credit + max(raised, 0), 2),
        )
    ceiling = round(card.credit_limit * PERMANENT_LIMIT_FACTOR, 2)
    if wanted > ceiling:
        raise OperationRefused("limit_too_high", max_amount=ceiling)
    return replace(
        card,
        credit_limit=wanted,
        available_credit=round(card.available_credit + wanted - card.credit_limit, 2),
    )
