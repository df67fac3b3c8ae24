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
"""

from __future__ import annotations

import asyncio
import json
import os
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path


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

    async def restore_customer(self, customer_id: str) -> None:
        async with self.lock.restore():
            state = self._read()
            if next(c for c in state["customers"] if c["id"] == customer_id) != self._snapshot[customer_id]:
                self._write(
                    [self._snapshot[c["id"]] if c["id"] == customer_id else c for c in state["customers"]]
                )

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
