"""Connecting to Redis at start-up, with a bounded wait for a Redis that is still starting."""

import asyncio
import logging

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

# Every open WebSocket holds a connection in a blocking XREAD, and a dispatcher round issues many commands;
# past this many, callers wait (up to the timeout) for a free connection instead of failing at once.
_MAX_CONNECTIONS = 1000
_POOL_WAIT_SECONDS = 10
# redis-py 8 defaults to a 5 s socket timeout; blocking reads (the WebSocket push's XREAD BLOCK) must end
# well within it, or the read fails with TimeoutError and drops the customer's socket.
SOCKET_TIMEOUT_SECONDS = 10


async def connect_redis(url: str, *, attempts: int = 5, delay_seconds: float = 0.5) -> Redis:
    pool = BlockingConnectionPool.from_url(
        url,
        decode_responses=True,
        max_connections=_MAX_CONNECTIONS,
        timeout=_POOL_WAIT_SECONDS,
        socket_timeout=SOCKET_TIMEOUT_SECONDS,
        # After a Redis restart every pooled connection is dead: retry once on a fresh one instead of
        # failing the request that happens to pick it up.
        retry=Retry(NoBackoff(), 1),
    )
    redis = Redis.from_pool(pool)  # the client owns the pool: closing it closes the connections
    for attempt in range(1, attempts):
        try:
            await redis.ping()
            return redis
        except RedisConnectionError:
            logger.warning("redis at %s not reachable (attempt %d/%d)", url, attempt, attempts)
            await asyncio.sleep(delay_seconds)
    try:
        await redis.ping()
    except RedisConnectionError:
        await redis.aclose()
        raise
    return redis
