import asyncio
import itertools

import pytest

from tests.progress import Stalled, next_within_stall, wait_while_progressing


async def test_waits_past_the_stall_interval_while_the_value_moves() -> None:
    counter = itertools.count()

    async def read() -> int:
        return next(counter)

    # 40 polls of 10 ms take longer than the 0.1 s stall interval, but every poll sees a new value.
    assert (
        await wait_while_progressing(
            read, lambda n: n >= 40, what="count", poll_seconds=0.01, stalled_after=0.1
        )
        == 40
    )


async def test_fails_once_the_value_stops_moving() -> None:
    async def read() -> int:
        return 7

    with pytest.raises(Stalled, match=r"queue: no progress for 0 s \(last seen: 7\)"):
        await wait_while_progressing(
            read, lambda n: n == 0, what="queue", poll_seconds=0.01, stalled_after=0.1
        )


async def test_a_stream_item_within_the_interval_is_returned() -> None:
    assert await next_within_stall(asyncio.sleep(0, "frame"), what="socket") == "frame"
