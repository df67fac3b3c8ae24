"""Tokens revoked before they expire (an agent's logout): a deny list of token ids in Redis."""

import time

from redis.asyncio import Redis

from handoff_api.store.redis_keys import RedisKeys


class RevokedTokens:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def revoke(self, token_id: str, *, expires_at: int) -> None:
        # Listed exactly as long as the token would be valid: after that its signature check refuses it.
        ttl = expires_at - int(time.time())
        if ttl > 0:
            await self._redis.set(self._keys.revoked_token(token_id), 1, ex=ttl)

    async def is_revoked(self, token_id: str) -> bool:
        return bool(await self._redis.exists(self._keys.revoked_token(token_id)))
