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
    )


class ConversationStore:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def create(self, conversation_id: str, *, customer_id: str, tier: CustomerTier) -> None:
        await self._redis.hset(
            self._keys.conversation(conversation_id),
            mapping={
                "customer_id": customer_id,
                "tier": tier.value,
                "state": ConversationState.BOT.value,
                "created_at": repr(time.time()),
            },
        )

    async def get(self, conversation_id: str) -> Conversation:
        fields = await self._redis.hgetall(self._keys.conversation(conversation_id))
        if not fields:
            raise ConversationNotFound
        return _from_hash(conversation_id, fields)

    async def get_many(self, conversation_ids: list[str]) -> list[Conversation]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for conversation_id in conversation_ids:
                pipe.hgetall(self._keys.conversation(conversation_id))
            rows = await pipe.execute()
        # A conversation may vanish between listing and reading; skip it rather than fail the page.
        return [_from_hash(cid, fields) for cid, fields in zip(conversation_ids, rows, strict=True) if fields]

    async def queue_position(self, conversation_id: str, group: str) -> int | None:
        rank = await self._redis.zrank(self._keys.queue(group), conversation_id)
        return rank + 1 if rank is not None else None

    async def queued_ids(self, group: str, limit: int = 200) -> list[str]:
        return await self._redis.zrange(self._keys.queue(group), 0, limit - 1)

    async def agent_conversation_ids(self, username: str) -> list[str]:
        return sorted(await self._redis.smembers(self._keys.agent_conversations(username)))
