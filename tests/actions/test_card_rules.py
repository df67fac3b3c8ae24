from __future__ import annotations

from datetime import date

import pytest

from actions.backends.base import Card, CardOperation, CardStatus, OperationRefused
from actions.backends.rules import apply_operation

TODAY = date(2026, 11, 23)


def _card(status: CardStatus = CardStatus.active, available: float = 6000.0) -> Card:
    return Card(tail="1234", product="普卡", status=status, credit_limit=10000.0, available_credit=available)


@pytest.mark.parametrize(
    ("operation", "before", "after"),
    [
        (CardOperation.activate, CardStatus.inactive, CardStatus.active),
        (CardOperation.report_lost, CardStatus.frozen, CardStatus.lost),
        (CardOperation.freeze, CardStatus.active, CardStatus.frozen),
        (CardOperation.unfreeze, CardStatus.frozen, CardStatus.active),
        (CardOperation.replace, CardStatus.lost, CardStatus.inactive),
        (CardOperation.reset_password, CardStatus.frozen, CardStatus.frozen),
    ],
)
def test_status_changes(operation: CardOperation, before: CardStatus, after: CardStatus) -> None:
    assert apply_operation(_card(before), operation, amount=None, today=TODAY).status is after


@pytest.mark.parametrize(
    ("operation", "status"),
    [
        (CardOperation.unfreeze, CardStatus.lost),  # a lost card is replaced, never unlocked
        (CardOperation.activate, CardStatus.active),
        (CardOperation.freeze, CardStatus.cancelled),
        (CardOperation.report_lost, CardStatus.lost),
    ],
)
def test_refuses_from_the_wrong_status(operation: CardOperation, status: CardStatus) -> None:
    with pytest.raises(OperationRefused) as refused:
        apply_operation(_card(status), operation, amount=None, today=TODAY)
    assert refused.value.code == "invalid_state"


def test_cancel_needs_nothing_owed() -> None:
    with pytest.raises(OperationRefused) as refused:
        apply_operation(_card(available=9000), CardOperation.cancel, amount=None, today=TODAY)
    assert refused.value.code == "outstanding_balance"
    paid_off = apply_operation(_card(available=10000), CardOperation.cancel, amount=None, today=TODAY)
    assert paid_off.status is CardStatus.cancelled


def test_permanent_raise_to_a_target_or_by_an_amount() -> None:
    to_target = apply_operation(_card(), CardOperation.raise_permanent_limit, amount=12000, today=TODAY)
    by_amount = apply_operation(_card(), CardOperation.raise_permanent_limit, amount=1000, today=TODAY)

    assert (to_target.credit_limit, to_target.available_credit) == (12000, 8000)
    assert (by_amount.credit_limit, by_amount.available_credit) == (11000, 7000)


def test_permanent_raise_above_the_ceiling_is_refused_with_the_maximum() -> None:
    with pytest.raises(OperationRefused) as refused:
        apply_operation(_card(), CardOperation.raise_permanent_limit, amount=50000, today=TODAY)
    assert (refused.value.code, refused.value.max_amount) == ("limit_too_high", 12000)


def test_temporary_raise_expires_in_thirty_days() -> None:
    card = apply_operation(_card(), CardOperation.raise_temporary_limit, amount=15000, today=TODAY)

    assert (card.credit_limit, card.temporary_limit, card.temporary_limit_until) == (
        10000,
        15000,
        "2026-12-23",
    )
    assert card.available_credit == 11000


def test_raise_needs_an_amount() -> None:
    with pytest.raises(OperationRefused) as refused:
        apply_operation(_card(), CardOperation.raise_temporary_limit, amount=None, today=TODAY)
    assert refused.value.code == "amount_required"
