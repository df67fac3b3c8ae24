"""The bot's inbox: customer messages waiting for their bot turn, kept in Redis until the bot has answered.

Each conversation has a list of pending turns, served one at a time and in order; a due set says which
conversations have turns and when a worker may take them. A worker leases a conversation by moving its score
to the lease's end, so any API process may serve any conversation and one that dies mid-turn only delays it.
"""

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis

from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import ConversationNotFound
from handoff_api.domain.states import ConversationState, MessageRole
from handoff_api.schemas import Button, MessagePublic
from handoff_api.store.conversations import BOT_TURN_MARK, conversation_from_fields
from handoff_api.store.lua_scripts import load_script
from handoff_api.store.messages import decode_message, message_fields
from handoff_api.store.redis_keys import RedisKeys


@dataclass(frozen=True)
class BotTurn:
    message_id: str  # the stream id of the message that asks for the turn; the same for every retry
    text: str
    is_payload: bool  # a button payload the bot offered, or an intent the handoff service itself sends


@dataclass(frozen=True)
class BotMessage:
    text: str
    buttons: Sequence[Button] = ()
    meta: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Accepted:
    message: MessagePublic  # as stored
    queued_for_bot: bool  # False while queued or with an agent: the message is only stored
    turn: BotTurn | None
    bot_delayed: bool  # the bot could not be reached for this conversation lately: no answer soon
    # Leased to the caller with the bot's turn begun (`lease_until` was given and no worker held it): the
    # conversation as it was read, for the caller to serve the turn at once.
    leased: Conversation | None = None


@dataclass(frozen=True)
class Finished:
    stored: list[MessagePublic] | None  # the replies as stored; None when another worker finished the turn
    pending: int  # turns still queued: with none the caller's lease has ended
    next_turn: BotTurn | None
    state: ConversationState | None  # who owns the conversation now (a handoff may have queued it)
    took_mark: bool = False  # the `take_mark` given to finish() was set, and is now cleared


def _turn(encoded: str | None) -> BotTurn | None:
    return BotTurn(**json.loads(encoded)) if encoded else None


class BotTurnStore:
    def __init__(
        self, redis: Redis, keys: RedisKeys, *, ttl_seconds: int, conversation_ttl_seconds: int
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl_seconds = ttl_seconds  # of the pending turns and the payloads the bot offered
        self._conversation_ttl_seconds = conversation_ttl_seconds
        self._accept = load_script(redis, "accept_customer_message.lua")
        self._enqueue = load_script(redis, "enqueue_bot_turn.lua")
        self._claim = load_script(redis, "claim_bot_turns.lua")
        self._finish = load_script(redis, "finish_bot_turn.lua")

    async def accept_customer_message(
        self,
        conversation_id: str,
        *,
        text: str,
        payload: str | None,
        now: float,
        delay_mark: str,
        standing_payloads: Sequence[str] = (),
        lease_until: float | None = None,
    ) -> Accepted:
        """Store the customer's message and queue it for the bot if the bot owns the conversation; the
        conversation lives on for its TTL from now. With `lease_until`, a turn no worker holds yet is leased
        to the caller until then."""
        fields = message_fields(MessageRole.CUSTOMER, text, (), None)
        reply = await self._accept(
            keys=[
                self._keys.conversation(conversation_id),
                self._keys.messages(conversation_id),
                self._keys.offered_payloads(conversation_id),
                self._keys.bot_turns(conversation_id),
                self._keys.bot_turns_due(),
            ],
            args=[
                conversation_id,
                repr(now),
                self._ttl_seconds,
                text,
                payload or "",
                delay_mark,
                json.dumps(list(standing_payloads)),
                self._conversation_ttl_seconds,
                "" if lease_until is None else repr(lease_until),
                BOT_TURN_MARK,
                *(item for pair in fields.items() for item in pair),
            ],
        )
        if reply == -1:
            raise ConversationNotFound
        message_id, queued, is_payload, delayed, *leased = reply
        turn = None
        if queued:
            turn = (
                BotTurn(message_id, payload, True)
                if is_payload and payload
                else BotTurn(message_id, text, False)
            )
        conversation = conversation_from_fields(conversation_id, leased) if leased else None
        return Accepted(decode_message(message_id, fields), bool(queued), turn, bool(delayed), conversation)

    async def enqueue(self, conversation_id: str, turn: BotTurn, *, now: float) -> None:
        body = json.dumps({"message_id": turn.message_id, "text": turn.text, "is_payload": turn.is_payload})
        await self._enqueue(
            keys=[self._keys.bot_turns(conversation_id), self._keys.bot_turns_due()],
            args=[conversation_id, repr(now), self._ttl_seconds, body],
        )

    async def lease_due(self, *, now: float, lease_until: float, limit: int) -> list[str]:
        """Up to `limit` conversations whose turns are due, leased to the caller until `lease_until`."""
        return await self._claim(
            keys=[self._keys.bot_turns_due()], args=[repr(now), repr(lease_until), limit]
        )

    async def extend(self, conversation_id: str, *, until: float) -> None:
        """Keep a lease (while the bot is slow), or set when a failed turn is retried."""
        await self._redis.zadd(self._keys.bot_turns_due(), {conversation_id: until}, xx=True)

    async def next_turn(self, conversation_id: str) -> BotTurn | None:
        return _turn(await self._redis.lindex(self._keys.bot_turns(conversation_id), 0))

    async def finish(
        self,
        conversation_id: str,
        turn: BotTurn,
        replies: Sequence[BotMessage] = (),
        *,
        take_mark: str = "",
        clear_marks: Sequence[str] = (),
    ) -> Finished:
        """Store the bot's replies to the turn, take it off the list and end the bot's turn (its mark and
        the conversation's marks `clear_marks` cleared); nothing is stored when another worker already did.
        The conversation's mark `take_mark`, set while the turn ran, is cleared by the call that finishes the
        turn, which learns whether it was set. With no turn left the conversation's lease ends."""
        fields = [message_fields(MessageRole.BOT, reply.text, reply.buttons, reply.meta) for reply in replies]
        payloads = sorted({button.payload for reply in replies for button in reply.buttons})
        stored, pending, next_turn, state, taken, *ids = await self._finish(
            keys=self._finish_keys(conversation_id),
            args=[
                conversation_id,
                turn.message_id,
                self._ttl_seconds,
                json.dumps(fields),
                json.dumps(payloads),
                take_mark,
                BOT_TURN_MARK,
                *clear_marks,
            ],
        )
        return Finished(
            [decode_message(entry_id, entry) for entry_id, entry in zip(ids, fields, strict=True)]
            if stored
            else None,
            pending,
            _turn(next_turn),
            ConversationState(state) if state else None,
            took_mark=bool(taken),
        )

    async def release_if_idle(self, conversation_id: str) -> bool:
        """End the lease of a conversation with no turn left; False when a turn came in meanwhile: the
        lease stays with the caller, who serves that turn too."""
        _stored, pending, *_ = await self._finish(
            keys=self._finish_keys(conversation_id), args=[conversation_id, "", 0, "[]", "[]"]
        )
        return pending == 0

    def _finish_keys(self, conversation_id: str) -> list[str]:
        return [
            self._keys.bot_turns(conversation_id),
            self._keys.bot_turns_due(),
            self._keys.messages(conversation_id),
            self._keys.offered_payloads(conversation_id),
            self._keys.conversation(conversation_id),
        ]
