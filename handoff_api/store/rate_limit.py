"""Fixed-window limits in Redis, shared by all API processes: customer messages and session creation."""

from redis.asyncio import Redis

from handoff_api.core import metrics
from handoff_api.domain.exceptions import RateLimited, TooManySessions
from handoff_api.store.redis_keys import RedisKeys


async def _count(redis: Redis, keys: list[str], window_seconds: int) -> list[int]:
    """Count one event under each key; each counter expires with its window."""
    # INCR and the first window's EXPIRE in one MULTI: a crash between them would leave a counter with no
    # TTL, and its subject muted for good.
    async with redis.pipeline(transaction=True) as pipe:
        for key in keys:
            pipe.incr(key)
            pipe.expire(key, window_seconds, nx=True)
        replies = await pipe.execute()
    return replies[::2]


class MessageRateLimiter:
    """Customer messages per conversation, and per customer over all their conversations (so that opening
    new sessions does not reset the limit)."""

    def __init__(
        self, redis: Redis, keys: RedisKeys, *, limit: int, per_customer_limit: int, window_seconds: int
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._limit = limit
        self._per_customer_limit = per_customer_limit
        self._window_seconds = window_seconds

    async def check(self, conversation_id: str, customer_id: str) -> None:
        """Count one message; raise RateLimited when either window already holds its limit."""
        keys = [self._keys.message_rate(conversation_id), self._keys.customer_message_rate(customer_id)]
        in_conversation, of_customer = await _count(self._redis, keys, self._window_seconds)
        if in_conversation > self._limit or of_customer > self._per_customer_limit:
            metrics.record_rate_limited()
            raise RateLimited


class SessionRateLimiter:
    """Customer sessions opened per client address."""

    def __init__(self, redis: Redis, keys: RedisKeys, *, limit: int, window_seconds: int) -> None:
        self._redis = redis
        self._keys = keys
        self._limit = limit
        self._window_seconds = window_seconds

    async def check(self, address: str) -> None:
        (count,) = await _count(self._redis, [self._keys.session_rate(address)], self._window_seconds)
        if count > self._limit:
            raise TooManySessions
