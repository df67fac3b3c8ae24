"""The message store: one Redis stream per conversation, whose entry ids are the clients' resume cursor."""

import json
import re
import time
from collections.abc import Iterable, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.asyncio.client import Pipeline

from handoff_api.domain.exceptions import InvalidCursor
from handoff_api.domain.states import MessageRole
from handoff_api.schemas import Button, MessagePublic
from handoff_api.store.lua_scripts import load_script
from handoff_api.store.redis_keys import RedisKeys

_STREAM_ID = re.compile(r"^(0|[0-9]{1,20}-[0-9]{1,20})$")
# Both parts of a stream id are unsigned 64-bit numbers; a larger one is Redis's error, not the client's.
_MAX_PART = 2**64 - 1
# Reading after a cursor needs the id after it: the very largest id has none.
_LARGEST_ID = f"{_MAX_PART}-{_MAX_PART}"
START = "0"


def check_cursor(last_id: str) -> str:
    parts = last_id.split("-")
    if not _STREAM_ID.match(last_id) or any(int(p) > _MAX_PART for p in parts) or last_id == _LARGEST_ID:
        raise InvalidCursor
    return last_id


def stream_order(entry_id: str) -> tuple[int, int]:
    """Sorts messages as their stream holds them (ids compare as two numbers, not as text)."""
    milliseconds, _, sequence = entry_id.partition("-")
    return int(milliseconds), int(sequence or 0)


def decode_message(entry_id: str, fields: dict[str, str]) -> MessagePublic:
    return MessagePublic(
        id=entry_id,
        role=MessageRole(fields["role"]),
        text=fields["text"],
        buttons=json.loads(fields.get("buttons", "[]")),
        ts=float(fields["ts"]),
        meta=json.loads(fields.get("meta", "{}")),
    )


def message_fields(
    role: MessageRole, text: str, buttons: Iterable[Button], meta: dict[str, Any] | None
) -> dict[str, str]:
    return {
        "role": role.value,
        "text": text,
        "buttons": json.dumps([button.model_dump() for button in buttons], ensure_ascii=False),
        "ts": repr(time.time()),
        "meta": json.dumps(meta or {}, ensure_ascii=False),
    }


class MessageStore:
    def __init__(self, redis: Redis, keys: RedisKeys, *, blocking_reads: Redis, ttl_seconds: int) -> None:
        self._redis = redis
        self._blocking_reads = blocking_reads  # the client for wait_after (redis_client.py)
        self._keys = keys
        # Each message renews the conversation's expiry (CONVERSATION_TTL_SECONDS), stream and state alike.
        self._ttl_seconds = ttl_seconds
        self._append_while_queued = load_script(redis, "append_while_queued.lua")

    async def append(
        self,
        conversation_id: str,
        role: MessageRole,
        text: str,
        *,
        buttons: Iterable[Button] = (),
        meta: dict[str, Any] | None = None,
    ) -> MessagePublic:
        fields = message_fields(role, text, buttons, meta)
        async with self._redis.pipeline(transaction=False) as pipe:
            pipe.xadd(self._keys.messages(conversation_id), fields)
            self._renew(pipe, conversation_id)
            entry_id, *_ = await pipe.execute()
        return decode_message(entry_id, fields)

    def _renew(self, pipe: Pipeline, conversation_id: str) -> None:
        pipe.expire(self._keys.messages(conversation_id), self._ttl_seconds)
        pipe.expire(self._keys.conversation(conversation_id), self._ttl_seconds)

    async def append_while_queued(self, group: str, notes: Sequence[tuple[str, str, dict[str, Any]]]) -> int:
        """System messages (conversation id, text, meta), each written only if its conversation is still in
        the group's queue when it is written; all in one round trip. Returns how many were written."""
        keys, args = [self._keys.queue(group)], [self._ttl_seconds]
        for conversation_id, text, meta in notes:
            keys += [self._keys.messages(conversation_id), self._keys.conversation(conversation_id)]
            args += [conversation_id, json.dumps(message_fields(MessageRole.SYSTEM, text, (), meta))]
        return await self._append_while_queued(keys=keys, args=args)

    async def read_after(
        self, conversation_id: str, last_id: str = START, count: int = 1000
    ) -> list[MessagePublic]:
        # "(" makes the start exclusive, so the message the client already has is not sent again.
        start = "-" if last_id == START else f"({check_cursor(last_id)}"
        entries = await self._redis.xrange(self._keys.messages(conversation_id), min=start, count=count)
        return [decode_message(entry_id, fields) for entry_id, fields in entries]

    async def message_before(self, conversation_id: str, message_id: str) -> MessagePublic | None:
        entries = await self._redis.xrevrange(
            self._keys.messages(conversation_id), max=f"({check_cursor(message_id)}", count=1
        )
        return decode_message(*entries[0]) if entries else None

    async def wait_after(self, conversation_id: str, last_id: str, block_ms: int) -> list[MessagePublic]:
        """Messages after last_id, blocking up to block_ms for the first one to arrive."""
        reply = await self._blocking_reads.xread(
            {self._keys.messages(conversation_id): check_cursor(last_id)}, block=block_ms, count=100
        )
        return [
            decode_message(entry_id, fields) for _stream, entries in reply for entry_id, fields in entries
        ]
