"""Agent presence: online, away or offline, kept while the agent's console keeps calling the API."""

import time

from redis.asyncio import Redis

from handoff_api.lua_scripts import load_script
from handoff_api.redis_keys import RedisKeys
from handoff_api.states import PresenceStatus

_REFRESH = ""  # set_presence.lua: keep the current status, only extend it


class Presence:
    def __init__(self, redis: Redis, keys: RedisKeys, ttl_seconds: int) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_seconds = ttl_seconds
        self._set_presence = load_script(redis, "set_presence.lua")

    async def _set(self, username: str, status: str) -> None:
        await self._set_presence(
            keys=[self._keys.agent_presence(username), self._keys.online_agents()],
            args=[username, status, self._ttl_seconds, repr(time.time())],
        )

    async def set_status(self, username: str, status: PresenceStatus) -> None:
        await self._set(username, status.value)

    async def touch(self, username: str) -> None:
        """Keep the agent's status alive; a console that went quiet and comes back is online again."""
        await self._set(username, _REFRESH)

    async def statuses(self, usernames: list[str]) -> dict[str, PresenceStatus]:
        if not usernames:
            return {}
        flags = await self._redis.mget([self._keys.agent_presence(name) for name in usernames])
        return {
            name: PresenceStatus(flag) if flag else PresenceStatus.OFFLINE
            for name, flag in zip(usernames, flags, strict=True)
        }

    async def online_usernames(self) -> set[str]:
        """Everyone online now: one read of the index, however many agents are configured."""
        return set(await self._redis.zrangebyscore(self._keys.online_agents(), repr(time.time()), "+inf"))
