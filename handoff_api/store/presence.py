"""Agent presence: online, away or offline, kept while the agent's console keeps calling the API."""

import time
from collections.abc import Collection, Mapping

from redis.asyncio import Redis

from handoff_api.domain.states import PresenceStatus
from handoff_api.store.lua_scripts import load_script
from handoff_api.store.redis_keys import RedisKeys

_REFRESH = ""  # set_presence.lua: keep the current status, only extend it


class Presence:
    """Statuses with TTLs, and indexes of who is online: everyone, and per seat group.

    seat_groups maps each agent who takes conversations to their groups; anyone else (supervisors) is in
    no group's index. Every status change rewrites the agent's entry in every group's index, so a group
    dropped from an agent's configuration leaves the index at their next console call.
    """

    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        ttl_seconds: int,
        *,
        seat_groups: Mapping[str, Collection[str]] | None = None,
        groups: Collection[str] = (),
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_seconds = ttl_seconds
        self._seat_groups = seat_groups or {}
        self._groups = list(groups)
        self._set_presence = load_script(redis, "set_presence.lua")

    async def _set(self, username: str, status: str) -> None:
        served = self._seat_groups.get(username, ())
        await self._set_presence(
            keys=[
                self._keys.agent_presence(username),
                self._keys.online_agents(),
                *(self._keys.online_in_group(group) for group in self._groups),
            ],
            args=[
                username,
                status,
                self._ttl_seconds,
                repr(time.time()),
                *("1" if group in served else "0" for group in self._groups),
            ],
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

    async def online_in_group(self, group: str) -> int:
        """How many agents who take the group's conversations are online now."""
        return await self._redis.zcount(self._keys.online_in_group(group), repr(time.time()), "+inf")
