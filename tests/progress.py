"""Waiting on progress, not on a clock: a slow machine makes a test slower, never failing.

A wait polls what it watches until its condition holds, and fails only when what it watches has not changed
for STALL_SECONDS: the system is stuck, not slow.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")

# Long enough for any step of a healthy system on a loaded machine; short enough that a stuck test ends.
STALL_SECONDS = 120.0
POLL_SECONDS = 0.2


class Stalled(AssertionError):
    """What a test waits on has not moved for STALL_SECONDS."""


class StallWatch:
    """Remembers when the watched value last changed; fails once it has not for `stalled_after` seconds."""

    def __init__(self, what: str, stalled_after: float = STALL_SECONDS) -> None:
        self._what = what
        self._stalled_after = stalled_after
        self._last: object = object()
        self._changed_at = time.monotonic()

    def observe(self, value: object) -> None:
        now = time.monotonic()
        if value != self._last:
            self._last, self._changed_at = value, now
        elif now - self._changed_at > self._stalled_after:
            raise Stalled(f"{self._what}: no progress for {self._stalled_after:.0f} s (last seen: {value!r})")


async def wait_while_progressing(
    read: Callable[[], Awaitable[T]],
    done: Callable[[T], bool],
    *,
    what: str,
    poll_seconds: float = POLL_SECONDS,
    stalled_after: float = STALL_SECONDS,
) -> T:
    """Polls read() until done(value) and returns that value; fails when the value stops changing."""
    watch = StallWatch(what, stalled_after)
    while not done(value := await read()):
        watch.observe(value)
        await asyncio.sleep(poll_seconds)
    return value


async def next_within_stall(awaitable: Awaitable[T], *, what: str) -> T:
    """The next item of a stream (a WebSocket frame): each one is progress, so only a silent stream fails."""
    try:
        return await asyncio.wait_for(awaitable, STALL_SECONDS)
    except TimeoutError:
        raise Stalled(f"{what}: nothing for {STALL_SECONDS:.0f} s") from None
