"""Connecting to Redis at start-up, with a bounded wait for a Redis that is still starting.

Two kinds of client: one for commands, which hold a connection for microseconds, and one for the blocking
reads of the WebSocket push (XREAD BLOCK), each of which holds a connection for seconds. Apart, a crowd of
open sockets cannot starve handoff requests of connections, and commands skip the blocking pool's wait
machinery (about a fifth of redis-py's CPU cost per command).
"""

import asyncio
import logging

from redis.asyncio import BlockingConnectionPool, ConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)

# Commands: past this many connections in use at once a command fails (503) instead of queueing.
_MAX_COMMAND_CONNECTIONS = 500
# Blocking reads: one per open WebSocket; past this many, a socket waits (up to the timeout) for one.
_MAX_BLOCKING_CONNECTIONS = 1000
_POOL_WAIT_SECONDS = 10
# redis-py 8 defaults to a 5 s socket timeout; blocking reads (the WebSocket push's XREAD BLOCK) must end
# well within it, or the read fails with TimeoutError and drops the customer's socket.
SOCKET_TIMEOUT_SECONDS = 10


def redis_pool(url: str, *, blocking_reads: bool = False) -> ConnectionPool:
    """A pool that connects on first use."""
    options = {
        "decode_responses": True,
        "socket_timeout": SOCKET_TIMEOUT_SECONDS,
        # After a Redis restart every pooled connection is dead: retry once on a fresh one instead of
        # failing the request that happens to pick it up.
        "retry": Retry(NoBackoff(), 1),
    }
    if blocking_reads:
        return BlockingConnectionPool.from_url(
            url, max_connections=_MAX_BLOCKING_CONNECTIONS, timeout=_POOL_WAIT_SECONDS, **options
        )
    return ConnectionPool.from_url(url, max_connections=_MAX_COMMAND_CONNECTIONS, **options)


async def connect_redis(url: str, *, attempts: int = 5, delay_seconds: float = 0.5) -> Redis:
    """A client for commands, once Redis answers."""
    redis = Redis.from_pool(redis_pool(url))  # closing the client closes the pool
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
