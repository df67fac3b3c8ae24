"""Per-conversation limit on customer messages: a fixed window in Redis, shared by all API processes."""

from redis.asyncio import Redis

from handoff_api.core import metrics
from handoff_api.domain.exceptions import RateLimited
from handoff_api.store.redis_keys import RedisKeys


class MessageRateLimiter:
    def __init__(self, redis: Redis, keys: RedisKeys, *, limit: int, window_seconds: int) -> None:
        self._redis = redis
        self._keys = keys
        self._limit = limit
        self._window_seconds = window_seconds

    async def check(self, conversation_id: str) -> None:
        """Count one message; raise RateLimited when the window already holds the limit."""
        key = self._keys.message_rate(conversation_id)
        # INCR and the first window's EXPIRE in one MULTI: a crash between them would leave a counter with
        # no TTL, and the conversation muted for good.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.incr(key)
            pipe.expire(key, self._window_seconds, nx=True)
            count, _ = await pipe.execute()
        if count > self._limit:
            metrics.record_rate_limited()
            raise RateLimited
