"""The account back-end interface the actions depend on, and the data it returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Protocol


class Tier(StrEnum):
    standard = "standard"  # 普卡
    gold = "gold"  # 金卡
    platinum = "platinum"  # 白金卡
    diamond = "diamond"  # 钻石 / 私人银行


class CardStatus(StrEnum):
    active = "active"  # usable
    inactive = "inactive"  # issued, not yet activated
    frozen = "frozen"  # temporarily locked by the customer
    lost = "lost"  # reported lost or stolen; cannot be unlocked, only replaced
    cancelled = "cancelled"  # closed


@dataclass(frozen=True)
class Card:
    tail: str
    product: str
    status: CardStatus
    credit_limit: float
    available_credit: float


@dataclass(frozen=True)
class Customer:
    id: str
    name: str
    tier: Tier
    phone: str
    cards: tuple[Card, ...] = field(default_factory=tuple)
    secretary: str | None = None

    def card(self, tail: str) -> Card | None:
        return next((card for card in self.cards if card.tail == tail), None)


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


class AccountBackend(Protocol):
    """Read and change a customer's account; async so that an HTTP implementation fits the same shape."""

    async def get_customer(self, customer_id: str) -> Customer:
        """Raises CustomerNotFound."""
        ...

    async def set_card_status(self, customer_id: str, tail: str, status: CardStatus) -> Card:
        """Raises CustomerNotFound or CardNotFound."""
        ...
