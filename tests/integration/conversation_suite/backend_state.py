"""Isolation of the demo back-end's state between conversations.

The demo back-end keeps every customer's cards in one JSON file (DEMO_BACKEND_PATH, actions/backends/demo.py),
which it re-reads whenever the file changes: that file is its documented source of truth. The suite takes a
snapshot of it before the first conversation, and before each conversation puts that conversation's customer
back as in the snapshot; at the end it writes the whole snapshot back, so later tests find what they left.

The action server rewrites the whole file on each card operation, and it only operates inside a bot turn.
So a restore (a whole-file write too) waits until no step of any conversation is running, and no step starts
while it writes: otherwise an operation that read the file just before the restore would write the old
customer back. Conversations of one customer never run at the same time (runner.py), so restoring a customer
never disturbs a conversation in progress.

A conversation may also ask for a card whose latest bill is overdue (`setup.overdue`): its bills are moved
back in time, amounts kept, so that the latest was issued last month and is past its due date whatever day
the suite runs (the seed's dates are relative to the day the state file was first written).
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import date, timedelta
from pathlib import Path

OVERDUE_MIN_DAYS = 5


class StepsOrRestore:
    """Many steps at a time, or one restore alone (a readers-writer lock that lets a waiting restore go
    first, so restores are not starved by a steady flow of steps)."""

    def __init__(self) -> None:
        self._condition = asyncio.Condition()
        self._steps = 0
        self._restoring = False
        self._restores_waiting = 0

    @asynccontextmanager
    async def step(self) -> AsyncIterator[None]:
        async with self._condition:
            await self._condition.wait_for(lambda: not self._restoring and not self._restores_waiting)
            self._steps += 1
        try:
            yield
        finally:
            async with self._condition:
                self._steps -= 1
                self._condition.notify_all()

    @asynccontextmanager
    async def restore(self) -> AsyncIterator[None]:
        async with self._condition:
            self._restores_waiting += 1
            await self._condition.wait_for(lambda: not self._restoring and not self._steps)
            self._restores_waiting -= 1
            self._restoring = True
        try:
            yield
        finally:
            async with self._condition:
                self._restoring = False
                self._condition.notify_all()


class DemoBackendState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.lock = StepsOrRestore()
        self._snapshot: dict[str, dict] = {}

    def take_snapshot(self) -> None:
        self._snapshot = {c["id"]: c for c in self._read()["customers"]}

    def cards(self, customer_id: str) -> dict[str, dict]:
        """The customer's cards now, by tail."""
        customer = next(c for c in self._read()["customers"] if c["id"] == customer_id)
        return {str(card["tail"]): card for card in customer["cards"]}

    async def restore_customer(self, customer_id: str, *, overdue_tail: str | None = None) -> None:
        """The customer as in the snapshot (with that card's latest bill overdue, when asked)."""
        wanted = self._snapshot[customer_id]
        if overdue_tail is not None:
            wanted = {**wanted, "bills": overdue_bills(wanted["bills"], overdue_tail, date.today())}
        async with self.lock.restore():
            state = self._read()
            if next(c for c in state["customers"] if c["id"] == customer_id) != wanted:
                self._write([wanted if c["id"] == customer_id else c for c in state["customers"]])

    async def restore_all(self) -> None:
        async with self.lock.restore():
            self._write(list(self._snapshot.values()))

    def _read(self) -> dict:
        return json.loads(self.path.read_text(encoding="utf-8"))

    def _write(self, customers: list[dict]) -> None:
        before = self.path.stat()
        # Write-then-rename, as the back-end itself does, so it never reads a half-written file.
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".suite_restore.", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump({"customers": customers}, handle, ensure_ascii=False, indent=2)
        os.replace(tmp, self.path)
        after = self.path.stat()
        # The back-end notices a change by (mtime, size); a coarse file-system clock could give the same
        # mtime to a same-sized file written in the same tick as its own last write.
        if (after.st_mtime_ns, after.st_size) == (before.st_mtime_ns, before.st_size):
            os.utime(self.path, ns=(after.st_atime_ns, before.st_mtime_ns + 1_000_000))


def _months_before(day: date, months: int) -> date:
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, month + 1, min(day.day, 28) if months else day.day)


def overdue_bills(bills: list[dict], tail: str, today: date) -> list[dict]:
    """The card's bills one a month, the latest unpaid, issued last month and past its due date (by
    OVERDUE_MIN_DAYS, unless last month is too short for that); other cards' bills unchanged."""
    mine = sorted((b for b in bills if b["card_tail"] == tail), key=lambda b: b["period"], reverse=True)
    if not mine:
        raise ValueError(f"card {tail} has no bill to make overdue")
    due_days = (date.fromisoformat(mine[0]["due_date"]) - date.fromisoformat(mine[0]["statement_date"])).days
    last_month_end = today.replace(day=1) - timedelta(days=1)
    latest = max(
        last_month_end.replace(day=1),
        min(today - timedelta(days=due_days + OVERDUE_MIN_DAYS), last_month_end),
    )
    moved = []
    for months_back, bill in enumerate(mine):
        statement = _months_before(latest, months_back)
        moved.append(
            {
                **bill,
                "period": statement.strftime("%Y-%m"),
                "statement_date": statement.isoformat(),
                "due_date": (statement + timedelta(days=due_days)).isoformat(),
                **({"paid": 0.0} if months_back == 0 else {}),
            }
        )
    return [b for b in bills if b["card_tail"] != tail] + moved
