"""Reading conversation state from Redis. Every change of owner goes through lua_scripts.py."""

import json
import time

from redis.asyncio import Redis

from contract.names import CustomerTier
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import ConversationNotFound
from handoff_api.domain.states import ConversationState
from handoff_api.store.lua_scripts import load_script
from handoff_api.store.redis_keys import RedisKeys

# The field that marks the bot's turn: the dispatcher assigns no agent to a conversation while it is set.
BOT_TURN_MARK = "bot_turn_until"


def _optional_float(value: str | None) -> float | None:
    return float(value) if value is not None else None


def conversation_from_fields(conversation_id: str, fields: list[str]) -> Conversation:
    """The conversation from its hash as a script returns it: name, value, name, value…"""
    return _from_hash(conversation_id, dict(zip(fields[::2], fields[1::2], strict=True)))


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
        bot_turn_until=_optional_float(fields.get(BOT_TURN_MARK)),
        rasa_resume_pending="rasa_resume_pending" in fields,
    )


class ConversationStore:
    def __init__(self, redis: Redis, keys: RedisKeys, *, ttl_seconds: int) -> None:
        self._redis = redis
        self.keys = keys
        self._ttl_seconds = ttl_seconds  # CONVERSATION_TTL_SECONDS: after the last message
        self._begin_bot_turn = load_script(redis, "begin_bot_turn.lua")

    async def create(self, conversation_id: str, *, customer_id: str, tier: CustomerTier) -> None:
        key = self.keys.conversation(conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(
                key,
                mapping={
                    "customer_id": customer_id,
                    "tier": tier.value,
                    "state": ConversationState.BOT.value,
                    "created_at": repr(time.time()),
                },
            )
            pipe.expire(key, self._ttl_seconds)
            await pipe.execute()

    async def keep(self, conversation_id: str, seconds: int) -> None:
        """The conversation and its message stream expire `seconds` from now (each stored message renews
        them for CONVERSATION_TTL_SECONDS)."""
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.expire(self.keys.conversation(conversation_id), seconds)
            pipe.expire(self.keys.messages(conversation_id), seconds)
            await pipe.execute()

    async def get(self, conversation_id: str) -> Conversation:
        fields = await self._redis.hgetall(self.keys.conversation(conversation_id))
        if not fields:
            raise ConversationNotFound
        return _from_hash(conversation_id, fields)

    async def begin_bot_turn(self, conversation_id: str, *, max_seconds: float) -> Conversation:
        """The conversation, with the bot's turn marked if the bot owns it; the mark lapses after max_seconds
        should this process die in the turn. A finished turn clears it (BotTurnStore.finish)."""
        fields = await self._begin_bot_turn(
            keys=[self.keys.conversation(conversation_id)],
            args=[BOT_TURN_MARK, repr(time.time() + max_seconds)],
        )
        if not fields:
            raise ConversationNotFound
        return conversation_from_fields(conversation_id, fields)

    async def end_bot_turn(self, conversation_id: str) -> ConversationState | None:
        """Clear the mark of a turn that did not finish; returns the state now (a handoff may have queued it
        during the turn)."""
        key = self.keys.conversation(conversation_id)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.hdel(key, BOT_TURN_MARK)
            pipe.hget(key, "state")
            _, state = await pipe.execute()
        return ConversationState(state) if state else None

    async def set_rasa_resume_pending(self, conversation_id: str, pending: bool) -> None:
        key = self.keys.conversation(conversation_id)
        if pending:
            await self._redis.hset(key, "rasa_resume_pending", "1")
        else:
            await self._redis.hdel(key, "rasa_resume_pending")

    async def mark_once(self, conversation_id: str, mark: str) -> bool:
        """Set a flag on the conversation; True only for the call that set it (say a thing once)."""
        return bool(await self._redis.hsetnx(self.keys.conversation(conversation_id), mark, "1"))

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

    async def enqueued_times(self, group: str) -> list[float]:
        """When each conversation waiting in the group was queued; the queue is ordered by deadline, not by
        arrival, so the oldest waiter may be anywhere in it."""
        conversation_ids = await self._redis.zrange(self.keys.queue(group), 0, -1)
        async with self._redis.pipeline(transaction=False) as pipe:
            for conversation_id in conversation_ids:
                pipe.hget(self.keys.conversation(conversation_id), "enqueued_at")
            return [float(value) for value in await pipe.execute() if value is not None]

    async def due_timeouts(self, now: float, limit: int = 100) -> list[str]:
        return await self._redis.zrangebyscore(self.keys.queue_timeouts(), "-inf", repr(now), 0, limit)

    async def loads(self, usernames: list[str]) -> dict[str, int]:
        async with self._redis.pipeline(transaction=False) as pipe:
            for username in usernames:
                pipe.scard(self.keys.agent_conversations(username))
            return dict(zip(usernames, await pipe.execute(), strict=True))

    async def agent_conversation_ids(self, username: str) -> list[str]:
        return sorted(await self._redis.smembers(self.keys.agent_conversations(username)))
