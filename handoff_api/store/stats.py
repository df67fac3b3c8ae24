"""Handoff figures kept in Redis for every API process: assignment pace, outcome and reason counts."""

from redis.asyncio import Redis
from redis.exceptions import ResponseError

from handoff_api.store.redis_keys import RedisKeys


class HandoffStats:
    def __init__(self, redis: Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def assign_interval(self, group: str) -> float | None:
        """The group's moving average of seconds per assignment (written by claim.lua); None before any."""
        value = await self._redis.hget(self._keys.group_stats(group), "assign_interval")
        return float(value) if value is not None else None

    async def handling(self, group: str) -> tuple[float | None, int]:
        """The group's moving average of handling time (written by release.lua), and closes observed."""
        seconds, samples = await self._redis.hmget(
            self._keys.group_stats(group), "handle_seconds", "handle_samples"
        )
        return (float(seconds) if seconds is not None else None), int(samples or 0)

    async def count_reason(self, reason: str) -> None:
        """Count a handoff request that the enqueue script did not see (outside working hours)."""
        await self._redis.hincrby(self._keys.reason_counts(), reason, 1)

    async def reason_counts(self) -> dict[str, int]:
        return {
            reason: int(n) for reason, n in (await self._redis.hgetall(self._keys.reason_counts())).items()
        }

    async def outcome_counts(self) -> dict[str, dict[str, int]]:
        """group -> outcome -> number of handoffs that ended so."""
        by_group: dict[str, dict[str, int]] = {}
        for field, count in (await self._redis.hgetall(self._keys.outcome_counts())).items():
            group, _, outcome = field.rpartition(":")
            by_group.setdefault(group, {})[outcome] = int(count)
        return by_group

    async def join_outcome_readers(self, group: str) -> None:
        """Create the consumer group that reads the outcome log once across every API process."""
        try:
            await self._redis.xgroup_create(self._keys.outcome_log(), group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def read_outcomes(
        self, group: str, consumer: str, *, pending: bool, count: int
    ) -> list[tuple[str, dict[str, str]]]:
        """Outcome log entries for this consumer: its own unacknowledged ones (pending) or new ones."""
        reply = await self._redis.xreadgroup(
            group, consumer, {self._keys.outcome_log(): "0" if pending else ">"}, count=count
        )
        return [
            (entry_id, fields) for _stream, entries in reply or [] for entry_id, fields in entries if fields
        ]

    async def ack_outcomes(self, group: str, entry_ids: list[str]) -> None:
        if entry_ids:
            await self._redis.xack(self._keys.outcome_log(), group, *entry_ids)
