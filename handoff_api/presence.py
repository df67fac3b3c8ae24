"""Agent presence: an agent is online while their presence key has not expired."""

from redis.asyncio import Redis

from handoff_api.redis_keys import RedisKeys


class Presence:
    def __init__(self, redis: Redis, keys: RedisKeys, ttl_seconds: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_seconds = ttl_seconds

    async def mark_online(self, username: str) -> None:
        await self._redis.set(self._keys.agent_presence(username), "online", ex=self._ttl_seconds)

    async def online(self, usernames: list[str]) -> list[str]:
        if not usernames:
            return []
        flags = await self._redis.mget([self._keys.agent_presence(name) for name in usernames])
        return [name for name, flag in zip(usernames, flags, strict=True) if flag is not None]
