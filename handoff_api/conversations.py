"""Reading conversation state from Redis. Every change of owner goes through lua_scripts.py."""

import json
import time
from dataclasses import dataclass
from typing import Any

from redis.asyncio import Redis

from handoff_api.exceptions import ConversationNotFound
from handoff_api.redis_keys import RedisKeys
from handoff_api.states import ConversationState, CustomerTier


@dataclass(frozen=True)
class Conversation:
    id: str
    customer_id: str
    tier: CustomerTier
    state: ConversationState
    group: str | None
    agent: str | None
    enqueued_at: float | None
    deadline: float | None
    packet: dict[str, Any] | None
    note: str | None = None


def _optional_float(value: str | None) -> float | None:
    return float(value) if value is not None else None


def _from_hash(conversation_id: str, fields: dict[str, str]) -> Conversation:
    return Conversation(
        id=conversation_id,
        customer_id=fields["customer_id"],
        tier=CustomerTier(fields["tier"]),
        state=ConversationState(fields["state"]),
        group=fields.get("group"),
        agent=fields.get("agent"),
        enqueued_at=_optional_float(fields.get("enqueued_at")),
        deadline=_optional_float(fields.get("deadline")),
        packet=json.loads(fields["packet"]) if "packet" in fields else None,
        note=fields.get("note"),
    )


class ConversationStore:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self.keys = keys

    async def create(self, conversation_id: str, *, customer_id: str, tier: CustomerTier) -> None:
        await self._redis.hset(
            self.keys.conversation(conversation_id),
            mapping={
                "customer_id": customer_id,
                "tier": tier.value,
                "state": ConversationState.BOT.value,
                "created_at": repr(time.time()),
            },
        )

    async def get(self, conversation_id: str) -> Conversation:
        fields = await self._redis.hgetall(self.keys.conversation(conversation_id))
        if not fields:
            raise ConversationNotFound
        return _from_hash(conversation_id, fields)

    async def get_many(self, conversation_ids: list[str]) -> list[Conversation]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for conversation_id in conversation_ids:
                pipe.hgetall(self.keys.conversation(conversation_id))
            rows = await pipe.execute()
        # A conversation may vanish between listing and reading; skip it rather than fail the page.
        return [_from_hash(cid, fields) for cid, fields in zip(conversation_ids, rows, strict=True) if fields]

    async def queue_position(self, conversation_id: str, group: str) -> int | None:
        rank = await self._redis.zrank(self.keys.queue(group), conversation_id)
        return rank + 1 if rank is not None else None

    async def queued_ids(self, group: str, limit: int = 200) -> list[str]:
        return await self._redis.zrange(self.keys.queue(group), 0, limit - 1)

    async def queue_lengths(self, groups: list[str]) -> dict[str, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for group in groups:
                pipe.zcard(self.keys.queue(group))
            return dict(zip(groups, await pipe.execute(), strict=True))

    async def overdue_counts(self, groups: list[str], now: float) -> dict[str, int]:
        """Queued conversations per group past their tier target (the queue is scored by that deadline)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            for group in groups:
                pipe.zcount(self.keys.queue(group), "-inf", repr(now))
            return dict(zip(groups, await pipe.execute(), strict=True))

    async def due_timeouts(self, now: float, limit: int = 100) -> list[str]:
        return await self._redis.zrangebyscore(self.keys.queue_timeouts(), "-inf", repr(now), 0, limit)

    async def loads(self, usernames: list[str]) -> dict[str, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for username in usernames:
                pipe.scard(self.keys.agent_conversations(username))
            return dict(zip(usernames, await pipe.execute(), strict=True))

    async def agent_conversation_ids(self, username: str) -> list[str]:
        return sorted(await self._redis.smembers(self.keys.agent_conversations(username)))
