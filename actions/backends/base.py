"""The account back-end interface the actions depend on, and the data it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol

from contract.names import CustomerTier


class CardStatus(StrEnum):
    active = "active"  # usable
    inactive = "inactive"  # issued (or reissued), not yet activated
    frozen = "frozen"  # temporarily locked by the customer
    lost = "lost"  # reported lost or stolen; cannot be unlocked, only replaced
    cancelled = "cancelled"  # closed


class CardOperation(StrEnum):
    activate = "activate"  # inactive → active
    report_lost = "report_lost"  # → lost (irreversible)
    freeze = "freeze"  # active → frozen
    unfreeze = "unfreeze"  # frozen → active
    replace = "replace"  # a new card is mailed; the card becomes inactive until activated
    raise_temporary_limit = "raise_temporary_limit"  # temporary limit for a while (needs amount)
    raise_permanent_limit = "raise_permanent_limit"  # new credit limit (needs amount)
    reset_password = "reset_password"  # a new transaction password by SMS
    cancel = "cancel"  # → cancelled (irreversible); only with nothing owed


@dataclass(frozen=True)
class Card:
    tail: str
    product: str
    status: CardStatus
    credit_limit: float
    available_credit: float
    temporary_limit: float | None = None
    temporary_limit_until: str | None = None  # ISO date

    @property
    def owed(self) -> float:
        return round(max(self.credit_limit - self.available_credit, 0.0), 2)


@dataclass(frozen=True)
class Bill:
    card_tail: str
    period: str  # YYYY-MM
    statement_date: str  # ISO date
    due_date: str  # ISO date
    amount_due: float
    minimum_payment: float
    paid: float = 0.0


@dataclass(frozen=True)
class Transaction:
    card_tail: str
    date: str  # ISO date
    merchant: str
    amount: float  # positive: spending; negative: repayment or refund


@dataclass(frozen=True)
class Points:
    balance: int
    expiring: int = 0
    expiring_on: str | None = None  # ISO date


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    tier: CustomerTier
    phone: str
    cards: tuple[Card, ...] = field(default_factory=tuple)
    secretary: str | None = None
    bills: tuple[Bill, ...] = field(default_factory=tuple)
    transactions: tuple[Transaction, ...] = field(default_factory=tuple)
    points: Points = field(default_factory=lambda: Points(balance=0))

    def card(self, tail: str) -> Card | None:
        return next((card for card in self.cards if card.tail == tail), None)

    def latest_bill(self, tail: str | None = None) -> Bill | None:
        bills = [bill for bill in self.bills if tail is None or bill.card_tail == tail]
        return max(bills, key=lambda bill: bill.period, default=None)


@dataclass(frozen=True)
class OperationResult:
    card: Card
    operation: CardOperation


@dataclass(frozen=True)
class CodeSent:
    masked_phone: str
    # Only a demo back-end tells the code (so a demo user can finish verification); a real one never does.
    demo_code: str | None = None


class BackendError(Exception):
    """The back-end could not answer (down, timed out, malformed data)."""


class CustomerNotFound(BackendError):
    def __init__(self, customer_id: str) -> None:
        super().__init__(f"unknown customer {customer_id!r}")
        self.customer_id = customer_id


class CardNotFound(BackendError):
    def __init__(self, customer_id: str, tail: str) -> None:
        super().__init__(f"customer {customer_id!r} has no card ending {tail!r}")
        self.customer_id = customer_id
        self.tail = tail


class OperationRefused(Exception):
    """The back-end answered but will not do it; `code` says why (a response name suffix)."""

    def __init__(self, code: str, *, max_amount: float | None = None) -> None:
        super().__init__(code)
        self.code = code  # invalid_state | outstanding_balance | limit_too_high | amount_required
        self.max_amount = max_amount


class AccountBackend(Protocol):
    """Read and change a customer's account; async so that an HTTP implementation fits the same shape."""

    async def get_customer(self, customer_id: str) -> Customer:
        """Raises CustomerNotFound."""
        ...

    async def perform(
        self,
        customer_id: str,
        tail: str,
        operation: CardOperation,
        *,
        amount: float | None = None,
        idempotency_key: str | None = None,
    ) -> OperationResult:
        """Raises CustomerNotFound, CardNotFound or OperationRefused. An operation repeated with the same
        `idempotency_key` is not performed again: the first one's result is returned."""
        ...

    async def send_code(self, customer_id: str, tail: str) -> CodeSent:
        """Sends a one-time code to the customer's phone. Raises CustomerNotFound or CardNotFound."""
        ...

    async def check_code(self, customer_id: str, code: str) -> bool:
        """True when `code` is the customer's current one-time code."""
        ...
