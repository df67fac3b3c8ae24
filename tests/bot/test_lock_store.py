"""The conversation lock in real Redis: one holder at a time across servers, in ticket order, and nothing
left behind by a holder that died."""

from __future__ import annotations

import asyncio

import pytest
import redis
from rasa.core.lock_store import LockError
from rasa.utils.endpoints import EndpointConfig

from bot.lock_store import AtomicRedisLockStore

POLL = 0.01  # seconds between a waiter's tries: short, so the tests do not wait on the default second


def _store(prefix: str) -> AtomicRedisLockStore:
    """A store as a Rasa server makes it from endpoints.yml (each its own Redis connections)."""
    return AtomicRedisLockStore(
        EndpointConfig("127.0.0.1", port="6379", db="0", password="", key_prefix=prefix)
    )


def _keys(prefix: str) -> list[bytes]:
    return list(redis.Redis().scan_iter(match=f"{prefix}:*"))


async def test_a_free_lock_is_taken_at_once_and_leaves_nothing_behind(prefix: str) -> None:
    store = _store(prefix)
    async with store.lock("conv-1", lock_lifetime=30):
        [key] = _keys(prefix)
        assert 0 < redis.Redis().pttl(key) <= 30_000
    assert _keys(prefix) == []


async def test_turns_of_two_servers_hold_the_lock_one_at_a_time_in_ticket_order(prefix: str) -> None:
    servers = [_store(prefix), _store(prefix)]
    holding: list[int] = []
    served: list[int] = []
    overlaps = 0

    async def turn(number: int) -> None:
        nonlocal overlaps
        async with servers[number % 2].lock("conv-1", wait_time_in_seconds=POLL):
            overlaps += bool(holding)
            holding.append(number)
            served.append(number)
            await asyncio.sleep(POLL)  # other turns poll meanwhile
            holding.remove(number)

    tasks = []
    for number in range(8):  # each takes its ticket before the next starts
        tasks.append(asyncio.create_task(turn(number)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)

    assert overlaps == 0
    assert served == list(range(8))
    assert _keys(prefix) == []


async def test_a_turn_waits_out_the_ticket_of_a_server_that_died_and_the_key_expires(prefix: str) -> None:
    store = _store(prefix)
    # A server takes the lock and is killed: its ticket is never given back.
    store._take_ticket(keys=[f"{store.key_prefix}conv-1"], args=["killed-server", 300])
    [key] = _keys(prefix)
    assert 0 < redis.Redis().pttl(key) <= 300

    async with store.lock("conv-1", wait_time_in_seconds=POLL):
        assert [t.split(b":")[0] for t in redis.Redis().lrange(key, 0, -1)] != [b"killed-server"]
    assert _keys(prefix) == []


async def test_a_turn_whose_ticket_expires_while_it_waits_fails_and_leaves_the_holder_be(prefix: str) -> None:
    holder, waiter = _store(prefix), _store(prefix)
    async with holder.lock("conv-1", lock_lifetime=30):
        with pytest.raises(LockError):
            async with waiter.lock("conv-1", lock_lifetime=0.05, wait_time_in_seconds=POLL):
                pytest.fail("the waiter got a lock that is held")
        [key] = _keys(prefix)
        assert redis.Redis().llen(key) == 1  # the holder's ticket only
