"""Failed agent logins per username and per client address, and the temporary lock-out they lead to."""

from redis.asyncio import Redis

from handoff_api.domain.exceptions import LoginLockedOut
from handoff_api.store.redis_keys import RedisKeys


class LoginFailures:
    """A counter per username and per address, expiring `lockout_seconds` after the last attempt that was not
    a success. Every attempt counts when it starts and a success takes itself back, so concurrent guesses
    count too; past its maximum a subject is locked out until its counter expires."""

    def __init__(
        self,
        redis: Redis,
        keys: RedisKeys,
        *,
        max_per_username: int,
        max_per_address: int,
        lockout_seconds: int,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._max_per_username = max_per_username
        self._max_per_address = max_per_address
        self._lockout_seconds = lockout_seconds

    async def begin(self, username: str, address: str) -> None:
        """Count an attempt; raise LoginLockedOut when the username or the address is over its maximum."""
        by_username = self._keys.login_failures("username", username)
        by_address = self._keys.login_failures("address", address)
        async with self._redis.pipeline(transaction=True) as pipe:
            for key in (by_username, by_address):
                pipe.incr(key)
                pipe.expire(key, self._lockout_seconds)
            of_username, _, of_address, _ = await pipe.execute()
        if of_username > self._max_per_username or of_address > self._max_per_address:
            raise LoginLockedOut

    async def succeeded(self, username: str, address: str) -> None:
        """A success forgives the username's failures, and takes back its own count from the address."""
        by_address = self._keys.login_failures("address", address)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.delete(self._keys.login_failures("username", username))
            pipe.decr(by_address)
            pipe.expire(by_address, self._lockout_seconds)  # DECR of a key that just expired makes a new one
            await pipe.execute()
