"""Automatic assignment and queue timeouts, run by every API process against the shared Redis state.

Each round reads a snapshot, lets the pure routing policy plan who takes what, and then asks the claim
script for each pair: when two processes plan the same pair, the script lets exactly one win. Nothing here
is remembered between rounds, so any process may die and the others carry on.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from contract.names import HandoffOutcome
from handoff_api.domain.exceptions import HandoffError
from handoff_api.domain.routing_policy import plan_assignments
from handoff_api.services import notices, queue_status
from handoff_api.services.context import AppContext
from handoff_api.services.routing_snapshot import online_seats, waiting_queue

logger = logging.getLogger(__name__)


class Dispatcher:
    def __init__(self, ctx: AppContext, *, tick_seconds: float, min_round_seconds: float = 0.0) -> None:
        self._ctx = ctx
        self._tick_seconds = tick_seconds
        self._min_round_seconds = min_round_seconds
        # Requests that arrive while a round runs are served by one more round, not one each.
        self._round_lock = asyncio.Lock()
        self._requested = 0
        self._covered = 0
        self._stopping = False

    async def assign_round(self) -> int:
        """Run (or wait for) a round that started after this call; returns assignments made by this call."""
        self._requested += 1
        ticket = self._requested
        async with self._round_lock:
            if self._covered >= ticket:
                return 0
            self._covered = self._requested
            return await self._assign() if self._ctx.directory.routing.auto_assign else 0

    async def _assign(self) -> int:
        ctx = self._ctx
        seats = await online_seats(ctx)
        free_seats = sum(max(seat.free, 0) for seat in seats)
        if not free_seats:
            return 0
        now = time.time()
        queue = await waiting_queue(ctx, free_seats=free_seats, now=now)
        plan = plan_assignments(ctx.directory.routing, queue, seats, now)
        moved_groups: set[str] = set()
        assigned = 0
        for waiting, seat in plan:
            try:
                newly_assigned = await ctx.stores.scripts.claim(
                    waiting.conversation_id,
                    agent=seat.username,
                    group=waiting.group,
                    capacity=seat.capacity,
                    now=now,
                    require_online=True,
                    smoothing=ctx.directory.routing.assign_interval_smoothing,
                )
            except HandoffError:
                continue  # another process won it, or the agent filled up or went away meanwhile
            if not newly_assigned:
                continue  # the agent claimed it by hand meanwhile, and that claim announced it
            assigned += 1
            moved_groups.add(waiting.group)
            await notices.agent_joined(
                ctx, waiting.conversation_id, agent_username=seat.username, group=waiting.group
            )
        for group in moved_groups:
            await queue_status.push_queue_updates(ctx, group)
        return assigned

    async def expire_waits(self) -> int:
        """End as wait_timeout every conversation queued past the queue timeout; returns how many."""
        ctx = self._ctx
        now = time.time()
        ended = 0
        moved_groups: set[str] = set()
        for conversation_id in await ctx.stores.conversations.due_timeouts(now):
            # get_many skips a vanished conversation; the script then drops its stale timeout.
            found = await ctx.stores.conversations.get_many([conversation_id])
            group = found[0].group if found else None
            with contextlib.suppress(HandoffError):
                ended_here = await ctx.stores.scripts.end_wait(
                    conversation_id,
                    group=group or "",
                    outcome=HandoffOutcome.WAIT_TIMEOUT,
                    now=now,
                    only_if_due=True,
                )
                if ended_here and group:
                    ended += 1
                    moved_groups.add(group)
                    await notices.handed_back(ctx, conversation_id, HandoffOutcome.WAIT_TIMEOUT)
        for group in moved_groups:
            await queue_status.push_queue_updates(ctx, group)
        return ended

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        """Run the background loop for as long as the app lives."""
        task = asyncio.create_task(self._run(self._ctx.dispatch_requested))
        try:
            yield
        finally:
            # The flag as well as the cancel: a library may swallow a CancelledError mid-round (an HTTP
            # connect to a Rasa that is down does), and the loop must still end.
            self._stopping = True
            self._ctx.dispatch_requested.set()
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    async def _run(self, wakeup: asyncio.Event) -> None:
        """The background loop of one process: on a wake-up (new work or a free agent) or every tick."""
        next_sweep = 0.0
        next_round = 0.0
        while not self._stopping:
            # asyncio.timeout, not wait_for: in Python 3.11 wait_for can swallow the cancellation at shutdown.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._tick_seconds):
                    await wakeup.wait()
            # Wake-ups that arrive meanwhile are served by this round.
            await asyncio.sleep(max(0.0, next_round - time.monotonic()))
            wakeup.clear()
            try:
                # Timeouts are swept once a tick, not on every wake-up: under a burst of handoffs each
                # wake-up would cost a Redis round trip for nothing.
                if time.monotonic() >= next_sweep:
                    next_sweep = time.monotonic() + self._tick_seconds
                    await self.expire_waits()
                # Paced from the round's start, after the sweep: a slow sweep must not shorten the gap.
                next_round = time.monotonic() + self._min_round_seconds
                await self.assign_round()
            except Exception:  # noqa: BLE001 - the loop must outlive a Redis blip or a bug in one round
                logger.exception("dispatcher round failed; retrying on the next tick")
