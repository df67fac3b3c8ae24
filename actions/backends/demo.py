"""Demo account back-end: customers seeded from demo/customers.yml, state kept in a JSON file.

The JSON file is the source of truth once it exists, so card changes (freeze, report lost, …)
survive action-server restarts. Delete it to reseed.
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import yaml

from actions.backends.base import Card, CardNotFound, CardStatus, Customer, CustomerNotFound, Tier
from actions.settings import Settings


def _customer_from_dict(data: dict[str, Any]) -> Customer:
    return Customer(
        id=data["id"],
        name=data["name"],
        tier=Tier(data["tier"]),
        phone=str(data["phone"]),
        secretary=data.get("secretary"),
        cards=tuple(
            Card(
                tail=str(card["tail"]),
                product=card["product"],
                status=CardStatus(card["status"]),
                credit_limit=float(card["credit_limit"]),
                available_credit=float(card["available_credit"]),
            )
            for card in data.get("cards", [])
        ),
    )


def _customer_to_dict(customer: Customer) -> dict[str, Any]:
    data = asdict(customer)
    data["tier"] = customer.tier.value
    for card in data["cards"]:
        card["status"] = card["status"].value
    return data


class DemoBackend:
    def __init__(self, *, state_path: Path, seed_path: Path) -> None:
        self._state_path = state_path
        self._seed_path = seed_path
        # Serialises read-modify-write of the state file between concurrent actions in this process.
        self._lock = asyncio.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> DemoBackend:
        return cls(state_path=settings.demo_backend_path, seed_path=settings.demo_customers_path)

    async def get_customer(self, customer_id: str) -> Customer:
        customers = self._read()
        if customer_id not in customers:
            raise CustomerNotFound(customer_id)
        return customers[customer_id]

    async def set_card_status(self, customer_id: str, tail: str, status: CardStatus) -> Card:
        async with self._lock:
            customers = self._read()
            customer = customers.get(customer_id)
            if customer is None:
                raise CustomerNotFound(customer_id)
            card = customer.card(tail)
            if card is None:
                raise CardNotFound(customer_id, tail)
            updated = replace(card, status=status)
            cards = tuple(updated if c.tail == tail else c for c in customer.cards)
            customers[customer_id] = replace(customer, cards=cards)
            self._write(customers)
            return updated

    def _read(self) -> dict[str, Customer]:
        if not self._state_path.exists():
            seed = yaml.safe_load(self._seed_path.read_text(encoding="utf-8"))
            customers = {c["id"]: _customer_from_dict(c) for c in seed["customers"]}
            self._write(customers)
            return customers
        data = json.loads(self._state_path.read_text(encoding="utf-8"))
        return {c["id"]: _customer_from_dict(c) for c in data["customers"]}

    def _write(self, customers: dict[str, Customer]) -> None:
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        payload = {"customers": [_customer_to_dict(c) for c in customers.values()]}
        # Write-then-rename so a crash mid-write never leaves a truncated state file.
        fd, tmp = tempfile.mkstemp(dir=self._state_path.parent, prefix=".demo_backend.", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=2)
        os.replace(tmp, self._state_path)
