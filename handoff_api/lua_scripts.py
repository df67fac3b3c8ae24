"""Typed wrappers over the Lua scripts in lua/: return codes become results or domain exceptions."""

from enum import IntEnum
from pathlib import Path

from redis.asyncio import Redis

from handoff_api.exceptions import (
    AgentAtCapacity,
    ConversationNotFound,
    ConversationNotQueued,
    ConversationWithAgent,
    NotAssigned,
)
from handoff_api.redis_keys import RedisKeys

_LUA_DIR = Path(__file__).parent / "lua"


class EnqueueResult(IntEnum):
    QUEUED = 1
    ALREADY_QUEUED = 0


class LuaScripts:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._keys = keys
        # register_script sends EVALSHA and falls back to loading the script once when Redis lacks it.
        self._enqueue = redis.register_script((_LUA_DIR / "enqueue.lua").read_text())
        self._claim = redis.register_script((_LUA_DIR / "claim.lua").read_text())
        self._release = redis.register_script((_LUA_DIR / "release.lua").read_text())

    async def enqueue(
        self, conversation_id: str, *, group: str, deadline: float, enqueued_at: float, packet_json: str
    ) -> EnqueueResult:
        code = await self._enqueue(
            keys=[self._keys.conversation(conversation_id), self._keys.queue(group)],
            args=[conversation_id, group, repr(deadline), repr(enqueued_at), packet_json],
        )
        if code == -1:
            raise ConversationNotFound
        if code == -2:
            raise ConversationWithAgent
        return EnqueueResult(code)

    async def claim(
        self, conversation_id: str, *, agent: str, group: str, capacity: int, assigned_at: float
    ) -> None:
        code = await self._claim(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.queue(group),
                self._keys.agent_conversations(agent),
            ],
            args=[conversation_id, agent, group, capacity, repr(assigned_at)],
        )
        if code == -1:
            raise ConversationNotFound
        if code in (-2, -3):
            raise ConversationNotQueued
        if code == -4:
            raise AgentAtCapacity

    async def release(self, conversation_id: str, *, agent: str) -> None:
        code = await self._release(
            keys=[self._keys.conversation(conversation_id), self._keys.agent_conversations(agent)],
            args=[conversation_id, agent],
        )
        if code == -1:
            raise ConversationNotFound
        if code == -2:
            raise NotAssigned
