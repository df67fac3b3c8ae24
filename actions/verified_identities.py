"""Who proved their identity in which conversation, recorded by the action server itself.

The slots `verified` and `verified_card` drive the dialogue, but a slot is whatever the tracker says, and a
tracker can be forged. Before a card service runs, or a handoff packet says "verified", the record here is
checked: it is written only when the back-end accepted a one-time code, and it expires on its own.
"""

from __future__ import annotations

from functools import lru_cache

from actions.settings import get_settings


class VerifiedIdentities:
    def __init__(self, *, redis_url: str, key_prefix: str, ttl_seconds: float) -> None:
        from redis.asyncio import Redis

        self._redis = Redis.from_url(redis_url, decode_responses=True)
        self._prefix = key_prefix
        self._ttl_seconds = max(1, int(ttl_seconds))

    async def close(self) -> None:
        await self._redis.close()
        await self._redis.connection_pool.disconnect()

    def _key(self, conversation_id: str) -> str:
        # Hash {customer_id, card_tail} with TTL: the verification of this conversation's customer.
        return f"{self._prefix}:verified:{conversation_id}"

    async def record(self, conversation_id: str, *, customer_id: str, card_tail: str) -> None:
        key = self._key(conversation_id)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.hset(key, mapping={"customer_id": customer_id, "card_tail": card_tail})
            pipe.expire(key, self._ttl_seconds)
            await pipe.execute()

    async def verified_card(self, conversation_id: str, *, customer_id: str | None) -> str | None:
        """The card the customer verified with in this conversation, while the verification lasts."""
        if not customer_id:
            return None
        record = await self._redis.hgetall(self._key(conversation_id))
        return record.get("card_tail") if record.get("customer_id") == customer_id else None


@lru_cache(maxsize=1)
def get_verified_identities() -> VerifiedIdentities:
    settings = get_settings()
    return VerifiedIdentities(
        redis_url=settings.redis_url,
        key_prefix=settings.redis_key_prefix,
        ttl_seconds=settings.verification_ttl_seconds,
    )
