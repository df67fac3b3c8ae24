"""Agent presence: online, away or offline, kept while the agent's console keeps calling the API."""

from redis.asyncio import Redis

from handoff_api.redis_keys import RedisKeys
from handoff_api.states import PresenceStatus


class Presence:
    def __init__(self, redis: Redis, keys: RedisKeys, ttl_seconds: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_seconds = ttl_seconds

    async def set_status(self, username: str, status: PresenceStatus) -> None:
        await self._redis.set(self._keys.agent_presence(username), status.value, ex=self._ttl_seconds)

    async def touch(self, username: str) -> None:
        """Keep the agent's status alive; a console that went quiet and comes back is online again."""
        key = self._keys.agent_presence(username)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(key, PresenceStatus.ONLINE.value, ex=self._ttl_seconds, nx=True)
            pipe.expire(key, self._ttl_seconds)
            await pipe.execute()

    async def statuses(self, usernames: list[str]) -> dict[str, PresenceStatus]:
        if not usernames:
            return {}
        flags = await self._redis.mget([self._keys.agent_presence(name) for name in usernames])
        return {
            name: PresenceStatus(flag) if flag else PresenceStatus.OFFLINE
            for name, flag in zip(usernames, flags, strict=True)
        }

    async def online(self, usernames: list[str]) -> list[str]:
        statuses = await self.statuses(usernames)
        return [name for name in usernames if statuses[name] is PresenceStatus.ONLINE]
