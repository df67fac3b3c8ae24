"""Expiry of the keys that belong to no conversation: each running process pushes it back periodically.

Conversation keys get their TTL when written (store/conversations.py, store/messages.py). Queues, seat sets
and statistics are written by many Lua scripts in passing; one periodic refresh keeps every one of them under
a TTL without each script carrying one, and lets them go SHARED_KEYS_TTL_SECONDS after the last process
stopped.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from redis.asyncio import Redis
from redis.exceptions import RedisError

from handoff_api.store.redis_keys import RedisKeys

logger = logging.getLogger(__name__)


class SharedKeys:
    def __init__(
        self, redis: Redis, keys: RedisKeys, *, groups: list[str], usernames: list[str], ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._names = keys.shared(groups, usernames)
        self._ttl_seconds = ttl_seconds

    async def refresh(self) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for name in self._names:
                pipe.expire(name, self._ttl_seconds)  # a key that does not exist stays so
            await pipe.execute()

    @contextlib.asynccontextmanager
    async def refreshing(self, every_seconds: float) -> AsyncIterator[None]:
        """Refresh now and then every `every_seconds`, for as long as the app lives."""

        # Stopped by an event, not by cancelling: redis-py can turn a cancellation inside a command into a
        # connection error, which the loop would swallow and then sleep through the shutdown.
        stopping = asyncio.Event()

        async def loop() -> None:
            while not stopping.is_set():
                try:
                    await self.refresh()
                except RedisError as exc:  # Redis away for a moment: the next round catches up
                    logger.warning("refreshing shared key expiry failed: %s", exc)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), timeout=every_seconds)

        task = asyncio.create_task(loop())
        try:
            yield
        finally:
            stopping.set()
            await task
