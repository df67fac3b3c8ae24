"""Connecting to Redis at start-up, with a bounded wait for a Redis that is still starting."""

import asyncio
import logging

from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

logger = logging.getLogger(__name__)


async def connect_redis(url: str, *, attempts: int = 5, delay_seconds: float = 0.5) -> Redis:
    redis = Redis.from_url(url, decode_responses=True)
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
