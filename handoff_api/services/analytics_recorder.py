"""Completes the handoff records of the bot analytics from the outcome log, and moves the Prometheus series.

Every handoff ending is logged once in a Redis stream by the script that makes it
(store/lua/lib/outcome.lua). The API processes read that stream as one consumer group, so each ending is
applied once to the SQL record filed when the handoff was requested, and counted once in
`handoff_outcomes_total`, `handoff_assignments_total` and `handoff_wait_seconds` (summed over processes, as
Prometheus does). An ending whose record is not filed yet (the dispatcher was quicker than the request's own
insert) is read again on the next round.
"""

import asyncio
import contextlib
import logging
import time
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from contract.names import HandoffOutcome
from handoff_api.core.metrics import record_assignment, record_outcome
from handoff_api.services.context import AppContext
from handoff_api.sql.analytics import complete_handoff

logger = logging.getLogger(__name__)

READERS_GROUP = "analytics"
_BATCH = 100
# Polled rather than blocking: a blocking read would hold one of the command pool's connections.
_POLL_SECONDS = 1.0
# An ending still without its record this long after it was logged never gets one (the record failed).
_GIVE_UP_SECONDS = 60.0


class AnalyticsRecorder:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._consumer = f"api-{uuid.uuid4().hex[:12]}"
        self._stopping = False

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        await self._ctx.stores.stats.join_outcome_readers(READERS_GROUP)
        task = asyncio.create_task(self._run())
        try:
            yield
        finally:
            self._stopping = True
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self) -> None:
        while not self._stopping:
            try:
                applied = await self.round()
            except Exception:  # noqa: BLE001 - the loop must outlive a Redis or database blip
                logger.exception("analytics round failed; retrying")
                applied = 0
            if not applied:
                await asyncio.sleep(_POLL_SECONDS)

    async def round(self) -> int:
        """Apply this consumer's retried entries, then new ones; the number applied."""
        stats = self._ctx.stores.stats
        applied = 0
        for pending in (True, False):
            entries = await stats.read_outcomes(READERS_GROUP, self._consumer, pending=pending, count=_BATCH)
            done = [entry_id for entry_id, fields in entries if await self._apply(entry_id, fields)]
            await stats.ack_outcomes(READERS_GROUP, done)
            applied += len(done)
        return applied

    async def _apply(self, entry_id: str, fields: dict[str, str]) -> bool:
        """True when the entry is dealt with (applied, or given up on)."""
        if not fields:  # trimmed from the capped stream before it was read
            return True
        outcome = HandoffOutcome(fields["outcome"])
        at = float(fields["at"])
        record = await run_in_threadpool(
            complete_handoff,
            self._ctx.engine,
            conversation_id=fields["conversation_id"],
            outcome=outcome,
            at=datetime.fromtimestamp(at, UTC),
        )
        if record is None:
            if time.time() - at > _GIVE_UP_SECONDS:
                logger.warning("handoff ending %s has no record; not counted in analytics", entry_id)
                return True
            return False
        record_outcome(group=fields["group"] or record.group, outcome=outcome.value)
        if outcome is HandoffOutcome.ASSIGNED and record.waited_seconds is not None:
            record_assignment(
                group=fields["group"] or record.group, tier=record.tier, waited_seconds=record.waited_seconds
            )
        return True
