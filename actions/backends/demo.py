"""Demo account back-end: customers seeded from demo/customers.yml, state kept in a JSON file.

The JSON file is the source of truth once it exists, so card changes (freeze, report lost, …)
survive action-server restarts. Delete it to reseed. Several action servers may share it (RASA_PROCESSES):
changes are made under an exclusive lock on a file next to it. Each change's result is kept under its
idempotency key, so a repeated turn does not repeat the operation. The one-time code is always `otp_code`
(DEMO_OTP_CODE, default 123456), and `send_code` returns it so the bot can show it to a demo user.
"""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from actions.backends.base import (
    BackendError,
    Bill,
    Card,
    CardNotFound,
    CardOperation,
    CardStatus,
    CodeSent,
    Customer,
    CustomerNotFound,
    OperationResult,
    Points,
    Transaction,
)
from actions.backends.rules import apply_operation
from actions.settings import Settings
from contract.names import CustomerTier

# Results of the latest operations by idempotency key, kept in the state file: far more than any retry needs.
KEPT_OPERATIONS = 1000


def card_from_dict(card: dict[str, Any]) -> Card:
    return Card(
        tail=str(card["tail"]),
        product=card["product"],
        status=CardStatus(card["status"]),
        credit_limit=float(card["credit_limit"]),
        available_credit=float(card["available_credit"]),
        temporary_limit=card.get("temporary_limit"),
        temporary_limit_until=card.get("temporary_limit_until"),
    )


def customer_from_dict(data: dict[str, Any]) -> Customer:
    """A customer in the state-file (and core-system) shape: absolute dates, bills and transactions flat."""
    points = data.get("points") or {}
    return Customer(
        id=data["id"],
        name=data["name"],
        tier=CustomerTier(data["tier"]),
        phone=str(data["phone"]),
        secretary=data.get("secretary"),
        cards=tuple(card_from_dict(card) for card in data.get("cards", [])),
        bills=tuple(Bill(**bill) for bill in data.get("bills", [])),
        transactions=tuple(Transaction(**txn) for txn in data.get("transactions", [])),
        points=Points(
            balance=int(points.get("balance", 0)),
            expiring=int(points.get("expiring", 0)),
            expiring_on=points.get("expiring_on"),
        ),
    )


def customer_to_dict(customer: Customer) -> dict[str, Any]:
    data = asdict(customer)
    data["tier"] = customer.tier.value
    for card in data["cards"]:
        card["status"] = card["status"].value
    return data


def _statement_date(today: date, statement_day: int, months_ago: int) -> date:
    year, month = today.year, today.month
    if today.day < statement_day:
        months_ago += 1
    month -= months_ago
    while month < 1:
        month += 12
        year -= 1
    return date(year, month, min(statement_day, 28))


def seed_customer(data: dict[str, Any], today: date) -> Customer:
    """A customer from demo/customers.yml, its relative dates made absolute against `today`."""
    bills: list[dict[str, Any]] = []
    transactions: list[dict[str, Any]] = []
    for card in data.get("cards", []):
        tail = str(card["tail"])
        for bill in card.get("bills", []):
            statement = _statement_date(today, int(card.get("statement_day", 5)), int(bill["months_ago"]))
            due = statement + timedelta(days=int(card.get("due_days", 20)))
            amount_due = float(bill["amount_due"])
            paid = float(bill.get("paid", 0))
            if due < today and card.get("repays_on_time", True):
                # Whatever day the demo is seeded, only a card meant to be overdue shows as overdue.
                paid = amount_due
            bills.append(
                {
                    "card_tail": tail,
                    "period": statement.strftime("%Y-%m"),
                    "statement_date": statement.isoformat(),
                    "due_date": due.isoformat(),
                    "amount_due": amount_due,
                    "minimum_payment": float(bill["minimum_payment"]),
                    "paid": paid,
                }
            )
        for txn in card.get("transactions", []):
            transactions.append(
                {
                    "card_tail": tail,
                    "date": (today - timedelta(days=int(txn["days_ago"]))).isoformat(),
                    "merchant": txn["merchant"],
                    "amount": float(txn["amount"]),
                }
            )
    points = dict(data.get("points") or {})
    if "expiring_in_days" in points:
        points["expiring_on"] = (today + timedelta(days=int(points.pop("expiring_in_days")))).isoformat()
    transactions.sort(key=lambda txn: txn["date"], reverse=True)
    return customer_from_dict({**data, "bills": bills, "transactions": transactions, "points": points})


class DemoBackend:
    def __init__(self, *, state_path: Path, seed_path: Path, otp_code: str = "123456") -> None:
        self._state_path = state_path
        self._seed_path = seed_path
        self._otp_code = otp_code
        # Serialises read-modify-write of the state file between concurrent actions in this process.
        self._lock = asyncio.Lock()
        # Parsed state and the file version it came from: reads cost a stat, not a parse.
        self._cache: tuple[tuple[int, int], dict[str, Customer], dict[str, dict[str, Any]]] | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> DemoBackend:
        return cls(
            state_path=settings.demo_backend_path,
            seed_path=settings.demo_customers_path,
            otp_code=settings.demo_otp_code,
        )

    async def get_customer(self, customer_id: str) -> Customer:
        customers = self._read()
        if customer_id not in customers:
            raise CustomerNotFound(customer_id)
        return customers[customer_id]

    async def perform(
        self,
        customer_id: str,
        tail: str,
        operation: CardOperation,
        *,
        amount: float | None = None,
        idempotency_key: str | None = None,
    ) -> OperationResult:
        async with self._lock:
            with self._locked_file():
                customers = self._read()
                done = self._operations().get(idempotency_key or "")
                if done is not None:
                    return OperationResult(card=card_from_dict(done), operation=operation)
                customer = self._customer(customers, customer_id)
                card = customer.card(tail)
                if card is None:
                    raise CardNotFound(customer_id, tail)
                updated = apply_operation(card, operation, amount=amount, today=date.today())
                customers[customer_id] = replace(
                    customer, cards=tuple(updated if c.tail == tail else c for c in customer.cards)
                )
                operations = self._operations()
                if idempotency_key:
                    operations[idempotency_key] = _card_to_dict(updated)
                self._write(customers, operations)
                return OperationResult(card=updated, operation=operation)

    async def set_card_status(self, customer_id: str, tail: str, status: CardStatus) -> Card:
        """Demo administration (tests, resetting a demo): sets a status without the operation rules."""
        async with self._lock:
            with self._locked_file():
                customers = self._read()
                customer = self._customer(customers, customer_id)
                card = customer.card(tail)
                if card is None:
                    raise CardNotFound(customer_id, tail)
                updated = replace(card, status=status)
                customers[customer_id] = replace(
                    customer, cards=tuple(updated if c.tail == tail else c for c in customer.cards)
                )
                self._write(customers, self._operations())
                return updated

    async def send_code(self, customer_id: str, tail: str) -> CodeSent:
        customer = await self.get_customer(customer_id)
        if customer.card(tail) is None:
            raise CardNotFound(customer_id, tail)
        return CodeSent(
            masked_phone=f"{customer.phone[:3]}****{customer.phone[-4:]}", demo_code=self._otp_code
        )

    async def check_code(self, customer_id: str, code: str) -> bool:
        await self.get_customer(customer_id)
        return code == self._otp_code

    @staticmethod
    def _customer(customers: dict[str, Customer], customer_id: str) -> Customer:
        customer = customers.get(customer_id)
        if customer is None:
            raise CustomerNotFound(customer_id)
        return customer

    def _read(self) -> dict[str, Customer]:
        try:
            return self._read_state()
        except (OSError, ValueError, KeyError, TypeError) as exc:
            # A damaged state file is this back-end being down, not a crash of the action.
            raise BackendError(f"demo back-end state unreadable: {exc!r}") from exc

    @contextlib.contextmanager
    def _locked_file(self) -> Iterator[None]:
        """Exclusive across processes: another action server's read-modify-write waits for this one."""
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._state_path.with_name(self._state_path.name + ".lock"), "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _read_state(self) -> dict[str, Customer]:
        try:
            stat = self._state_path.stat()
        except FileNotFoundError:
            seed = yaml.safe_load(self._seed_path.read_text(encoding="utf-8"))
            today = date.today()
            customers = {c["id"]: seed_customer(c, today) for c in seed["customers"]}
            self._write(customers, {})
            return dict(customers)
        version = (stat.st_mtime_ns, stat.st_size)
        if self._cache is None or self._cache[0] != version:
            data = json.loads(self._state_path.read_text(encoding="utf-8"))
            customers = {c["id"]: customer_from_dict(c) for c in data["customers"]}
            self._cache = (version, customers, data.get("operations", {}))
        return dict(self._cache[1])

    def _operations(self) -> dict[str, dict[str, Any]]:
        """Card results by idempotency key, as of the last _read."""
        return dict(self._cache[2]) if self._cache is not None else {}

    def _write(self, customers: dict[str, Customer], operations: dict[str, dict[str, Any]]) -> None:
        self._state_path.parent.mkdir(parents=True, exist_ok=True)
        kept = dict(list(operations.items())[-KEPT_OPERATIONS:])
        payload = {"customers": [customer_to_dict(c) for c in customers.values()], "operations": kept}
        # Write-then-rename so a crash mid-write never leaves a truncated state file.
        fd, tmp = tempfile.mkstemp(dir=self._state_path.parent, prefix=".demo_backend.", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(payload, handle, ensure_ascii=False, indent=2)
        os.replace(tmp, self._state_path)
        self._cache = None


def _card_to_dict(card: Card) -> dict[str, Any]:
    return {**asdict(card), "status": card.status.value}
