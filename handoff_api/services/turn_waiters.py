"""Requests in this process waiting for the bot's answer to a message they sent (HTTP replies are synchronous
for clients that want them; the WebSocket and the stream carry the same replies to everyone else).

Waiters are kept per conversation: a message id is a stream entry id, unique only within its conversation,
and two customers typing in the same millisecond get the same one.
"""

import asyncio
from collections import defaultdict
from dataclasses import dataclass
from typing import Protocol

from handoff_api.domain.conversation import Conversation
from handoff_api.schemas import MessagePublic
from handoff_api.store.bot_turns import BotTurn


@dataclass(frozen=True)
class TurnAnswer:
    messages: list[MessagePublic]  # the bot's replies, or the notice that it is catching up
    bot_answered: bool  # False: the bot has not answered yet, its replies follow on the stream


class TurnServer(Protocol):
    """This process's bot-turn worker (services/bot_turns.py), as a request that accepts a message sees it."""

    def reserve(self) -> float | None:
        """Room for one more conversation, held for the caller: the end of the lease it may take, or None
        when there is no room (or no bot to send to) now."""

    def release(self, leased: tuple[Conversation, BotTurn] | None) -> None:
        """Give the reserved room back, or fill it with the turn the caller leased, to be served at once."""


class TurnWaiters:
    def __init__(self) -> None:
        self._futures: dict[str, dict[str, asyncio.Future[TurnAnswer]]] = defaultdict(dict)
        # Set when a turn is queued here, so this process's worker takes it without waiting for its next poll.
        self.wakeup = asyncio.Event()
        # The worker, while it runs: a message may be leased to it as it is accepted, and served at once.
        self.server: TurnServer | None = None

    def expect(self, conversation_id: str, message_id: str) -> asyncio.Future[TurnAnswer]:
        future: asyncio.Future[TurnAnswer] = asyncio.get_running_loop().create_future()
        self._futures[conversation_id][message_id] = future
        return future

    def forget(self, conversation_id: str, message_id: str) -> None:
        waiting = self._futures.get(conversation_id)
        if waiting is None:
            return
        waiting.pop(message_id, None)
        if not waiting:
            del self._futures[conversation_id]

    def answered(self, conversation_id: str, message_id: str, replies: list[MessagePublic]) -> None:
        self._resolve(conversation_id, message_id, TurnAnswer(replies, bot_answered=True))

    def delayed(self, conversation_id: str, notices: list[MessagePublic]) -> None:
        """The bot cannot answer this conversation for now: every waiter gets the notice, and the replies
        follow on the stream once the bot is back."""
        for message_id in list(self._futures.get(conversation_id, ())):
            self._resolve(conversation_id, message_id, TurnAnswer(notices, bot_answered=False))

    def _resolve(self, conversation_id: str, message_id: str, answer: TurnAnswer) -> None:
        future = self._futures.get(conversation_id, {}).get(message_id)
        if future is not None and not future.done():
            future.set_result(answer)
