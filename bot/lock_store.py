"""Rasa's per-conversation ticket lock, kept in Redis atomically and with an expiry.

Rasa 3.6's RedisLockStore reads the lock (a JSON list of tickets), changes it in Python and writes it back:
two Rasa servers issuing tickets at the same moment can both write, and both hold the lock. Its key has no
expiry, so the lock of a server killed mid-turn stays in Redis for good unless the conversation comes back.
And a turn pays about seven Redis round trips for it.

Here each step is one Lua script, atomic in Redis: a turn takes a ticket and, if it is first in line,
the lock (one round trip), and gives it back (one more). Tickets are served in the order they were taken
and each expires `lock_lifetime` seconds after it was taken (Rasa's own TICKET_LOCK_LIFETIME, 60 s), as in
Rasa. So a conversation whose server died mid-turn waits at most that long. The key expires with its
latest ticket. A waiter whose ticket expired before its turn came gets LockError (the gateway sends the
turn again), where Rasa's waited on.

endpoints.yml: `lock_store: {type: bot.lock_store.AtomicRedisLockStore, url, port, db, username, password,
use_ssl, ssl_ca_certs, ssl_certfile, ssl_keyfile, key_prefix}` (bot/redis_endpoint.py).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import redis
from rasa.core.lock_store import LOCK_LIFETIME, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from bot.redis_endpoint import store_options

# A ticket is "<id>:<expiry in ms>" in a list of the conversation's tickets, first in line first. The
# clock is Redis's, the same for every server.
_NOW_MS = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000)"
_DROP_EXPIRED = """
for _, ticket in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  if tonumber(string.match(ticket, ':(%d+)$')) <= now then redis.call('LREM', KEYS[1], 0, ticket) end
end"""
# The state of ticket `mine`. 1: first in line, the lock is its own; 0: waiting; -1: expired while it waited.
_STATE = """
local state = -1
if redis.call('LINDEX', KEYS[1], 0) == mine then state = 1 else
  for _, ticket in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
    if ticket == mine then state = 0 end
  end
end"""
# ARGV: a new ticket id, the lifetime in ms. Returns the ticket and its state.
_TAKE_TICKET = f"""{_NOW_MS}
{_DROP_EXPIRED}
local mine = ARGV[1] .. ':' .. (now + tonumber(ARGV[2]))
redis.call('RPUSH', KEYS[1], mine)
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
{_STATE}
return {{mine, state}}"""
# ARGV: the ticket. Returns its state.
_WAIT = f"""{_NOW_MS}
{_DROP_EXPIRED}
local mine = ARGV[1]
{_STATE}
return state"""
_GIVE_BACK = "return redis.call('LREM', KEYS[1], 1, ARGV[1])"


class AtomicRedisLockStore(LockStore):
    def __init__(self, endpoint_config: EndpointConfig) -> None:
        settings: dict[str, Any] = endpoint_config.kwargs
        options = store_options(settings)
        self.red = redis.Redis(
            host=endpoint_config.url or "localhost",
            port=int(settings.get("port") or 6379),
            db=int(settings.get("db") or 0),
            ssl=options.pop("use_ssl"),
            socket_timeout=10,
            **options,
        )
        # Not Rasa's `<prefix>:lock:` keys, which hold its JSON locks.
        self.key_prefix = f"{settings.get('key_prefix') or 'rasa'}:ticket_lock:"
        self._take_ticket = self.red.register_script(_TAKE_TICKET)
        self._wait = self.red.register_script(_WAIT)
        self._give_back = self.red.register_script(_GIVE_BACK)
        super().__init__()

    @asynccontextmanager
    async def lock(
        self, conversation_id: str, lock_lifetime: float = LOCK_LIFETIME, wait_time_in_seconds: float = 1
    ) -> AsyncIterator[None]:
        """Holds the conversation's lock for the block, once the tickets taken before are served."""
        key = self.key_prefix + conversation_id
        raw_ticket, state = self._take_ticket(keys=[key], args=[uuid.uuid4().hex, int(lock_lifetime * 1000)])
        ticket = raw_ticket.decode()
        try:
            while state == 0:
                await asyncio.sleep(wait_time_in_seconds)
                state = self._wait(keys=[key], args=[ticket])
            if state < 0:
                raise LockError(f"the lock of conversation {conversation_id} expired while its turn waited")
            yield None
        finally:
            self._give_back(keys=[key], args=[ticket])
