"""Delivering turns to the bot: every message answered once, in order, however slow or absent the bot is.

Every API process runs a worker. It leases conversations with due turns (store/bot_turns.py), sends their
turns one at a time to Rasa, and stores the replies and ends the turn in one step. A message that finds its
conversation idle is leased to the worker of the process that accepts it, if that worker has room, and is
served at once, without a claim (gateway.py). A turn Rasa did not answer stays at the head of its list and
is retried later, by this process or any other; the customer is told once that the assistant is catching
up, never that their message is lost. The worker takes no more conversations than it has room for
(`concurrency`): under overload turns wait in Redis instead of timing out in Rasa.
"""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator

from contract.identity import Identity, Turn, sign_identity
from handoff_api.clients.rasa import BotAnswer, RasaRefused, RasaUnavailable
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import ConversationNotFound
from handoff_api.domain.states import ConversationState, MessageRole
from handoff_api.schemas import MessagePublic
from handoff_api.services import readings
from handoff_api.services.context import AppContext
from handoff_api.store.bot_turns import BotMessage, BotTurn, Finished

logger = logging.getLogger(__name__)

BOT_DELAYED_NOTICE = "智能助手暂时繁忙，恢复后会按顺序回复您的消息，无需重复发送。"
BOT_SLOW_NOTICE = "智能助手正在处理您的消息，请稍候。"
BOT_FAILED_APOLOGY = "抱歉，智能助手未能处理这条消息，请换个说法再试，或点击“转人工”。"
# Set on the conversation while the bot is unreachable for it, so the customer hears about the delay once.
BOT_DELAY_NOTIFIED = "bot_delay_notified"


class BotTurnWorker:
    def __init__(
        self,
        ctx: AppContext,
        *,
        concurrency: int,
        lease_seconds: float,
        poll_seconds: float,
        max_retry_seconds: float,
        slow_notice_seconds: float,
    ) -> None:
        self._ctx = ctx
        self._concurrency = concurrency
        self._lease_seconds = lease_seconds
        self._poll_seconds = poll_seconds
        self._max_retry_seconds = max_retry_seconds
        self._slow_notice_seconds = slow_notice_seconds
        self._serving: dict[str, asyncio.Task[None]] = {}
        self._reserved = 0  # room held for requests accepting a message (reserve)
        # Leased again while still being served here (a turn queued as the lease ended): served once done.
        self._leased_again: set[str] = set()
        self._failures: dict[str, int] = {}
        self._keeping_readings: set[asyncio.Task[None]] = set()
        self._stopping = False

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        loop = asyncio.create_task(self._run())
        self._ctx.turn_waiters.server = self
        try:
            yield
        finally:
            self._ctx.turn_waiters.server = None
            self._stopping = True
            self._ctx.turn_waiters.wakeup.set()
            for task in [loop, *self._serving.values()]:
                task.cancel()
            # A turn cancelled here stays at the head of its list; its lease runs out and another process, or
            # this one after a restart, sends it again.
            await asyncio.gather(loop, *self._serving.values(), return_exceptions=True)
            # Readings being kept are short database writes of answered turns: let them end.
            await asyncio.gather(*self._keeping_readings, return_exceptions=True)

    async def _run(self) -> None:
        wakeup = self._ctx.turn_waiters.wakeup
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._poll_seconds):
                    await wakeup.wait()
            wakeup.clear()
            try:
                await self._lease_more()
            except Exception:  # noqa: BLE001 - the loop must outlive a Redis blip
                logger.exception("bot turn worker round failed; retrying on the next poll")

    def _room(self) -> int:
        # While every Rasa server failed lately, nothing is sent until their back-off ends: a thousand
        # conversations retrying at once would only load Redis and this process, and be answered no sooner.
        if self._stopping or not self._ctx.rasa.any_server_up():
            return 0
        return self._concurrency - len(self._serving) - self._reserved

    def reserve(self) -> float | None:
        if self._room() <= 0:
            return None
        self._reserved += 1
        return time.time() + self._lease_seconds

    def release(self, leased: tuple[Conversation, BotTurn] | None) -> None:
        self._reserved -= 1
        if leased is None or self._stopping:  # stopping: the lease runs out and another process serves it
            return
        conversation_id = leased[0].id
        if conversation_id in self._serving:  # its last turn is ending: served again after it, from Redis
            self._leased_again.add(conversation_id)
        else:
            self._start(conversation_id, begun=leased)

    async def _lease_more(self) -> None:
        room = self._room()
        if room <= 0:
            return
        now = time.time()
        leased = await self._ctx.stores.bot_turns.lease_due(
            now=now, lease_until=now + self._lease_seconds, limit=room
        )
        for conversation_id in leased:
            if conversation_id in self._serving:
                self._leased_again.add(conversation_id)
            else:
                self._start(conversation_id)

    def _start(self, conversation_id: str, *, begun: tuple[Conversation, BotTurn] | None = None) -> None:
        self._serving[conversation_id] = asyncio.create_task(self._serve(conversation_id, begun))
        self._serving[conversation_id].add_done_callback(lambda _t, cid=conversation_id: self._done(cid))

    @property
    def backing_off(self) -> int:
        """Conversations whose turns this process retries with a back-off (those the bot has not answered)."""
        return len(self._failures)

    def _done(self, conversation_id: str) -> None:
        self._serving.pop(conversation_id, None)
        if conversation_id in self._leased_again and not self._stopping:
            self._leased_again.discard(conversation_id)
            self._start(conversation_id)
        self._ctx.turn_waiters.wakeup.set()  # room for another conversation

    async def _serve(self, conversation_id: str, begun: tuple[Conversation, BotTurn] | None) -> None:
        """Answer the conversation's turns in order until none is left or the bot fails; `begun`: the first
        turn, its bot turn begun already (leased as it was accepted)."""
        store = self._ctx.stores.bot_turns
        keep_lease = asyncio.create_task(self._keep_lease(conversation_id))
        try:
            conversation, turn = begun or (None, await store.next_turn(conversation_id))
            while True:
                if turn is None:
                    if await store.release_if_idle(conversation_id):
                        return
                    # Queued after the list was read: the lease is still ours.
                    turn = await store.next_turn(conversation_id)
                    continue
                finished = await self._deliver(conversation_id, turn, conversation)
                conversation = None  # the next turn begins its own
                if finished is None:  # the bot did not answer: the conversation waits for its retry time
                    keep_lease.cancel()
                    await store.extend(
                        conversation_id, until=time.time() + self._retry_delay(conversation_id)
                    )
                    return
                # However the turn ended (answered, refused, dropped for an agent), its back-off is over:
                # kept, it would outlive the conversation in this process.
                self._failures.pop(conversation_id, None)
                if finished.pending == 0:  # the lease ended with the turn
                    return
                turn = finished.next_turn
        except Exception:  # noqa: BLE001 - one conversation's failure must not stop the others
            logger.exception("serving bot turns of conversation %s failed", conversation_id)
        finally:
            keep_lease.cancel()

    async def _keep_lease(self, conversation_id: str) -> None:
        while True:
            await asyncio.sleep(self._lease_seconds / 3)
            await self._ctx.stores.bot_turns.extend(conversation_id, until=time.time() + self._lease_seconds)

    def _retry_delay(self, conversation_id: str) -> float:
        failures = self._failures.get(conversation_id, 0) + 1
        self._failures[conversation_id] = failures
        return min(2.0 ** (failures - 1), self._max_retry_seconds)

    async def _deliver(
        self, conversation_id: str, turn: BotTurn, begun: Conversation | None
    ) -> Finished | None:
        """The turn finished (answered, refused, or dropped because an agent or the queue took the
        conversation since the message came), or None when the bot did not answer it. `begun`: the
        conversation, if its bot turn is begun already."""
        stores = self._ctx.stores
        # The action server may request a handoff inside this turn; the dispatcher leaves the conversation
        # alone until the bot's reply ("you are in the queue") is stored, then is woken to assign it.
        conversation = begun or await self._begin(conversation_id)
        if conversation is None or conversation.state is not ConversationState.BOT:
            return await self._finish(conversation_id, turn, None)  # stays stored only
        finished = None
        try:
            finished = await self._ask(conversation, turn)
            return finished
        finally:
            state = finished.state if finished else await stores.conversations.end_bot_turn(conversation_id)
            if state is ConversationState.QUEUED:
                self._ctx.dispatch_requested.set()

    async def _begin(self, conversation_id: str) -> Conversation | None:
        try:
            return await self._ctx.stores.conversations.begin_bot_turn(
                conversation_id, max_seconds=self._lease_seconds
            )
        except ConversationNotFound:
            return None

    async def _ask(self, conversation: Conversation, turn: BotTurn) -> Finished | None:
        ctx = self._ctx
        if conversation.rasa_resume_pending and await ctx.rasa.set_paused(conversation.id, paused=False):
            await ctx.stores.conversations.set_rasa_resume_pending(conversation.id, False)
        try:
            answer = await self._send_noting_slowness(conversation, turn)
        except RasaUnavailable as exc:
            logger.warning("bot turn of conversation %s delayed: %s", conversation.id, exc)
            await tell_delayed(ctx, conversation.id)
            return None
        except RasaRefused as exc:
            logger.error("bot refused a turn of conversation %s: %s", conversation.id, exc)
            finished = await self._finish(conversation.id, turn, None)
            await ctx.stores.messages.append(conversation.id, MessageRole.SYSTEM, BOT_FAILED_APOLOGY)
            return finished
        return await self._finish(conversation.id, turn, answer)

    def _keep_reading(
        self, conversation_id: str, turn: BotTurn, answer: BotAnswer | None, *, mark: bool
    ) -> None:
        """Off the serving path, so neither the customer nor the next turn waits for a database write: the
        turn's reading, then the inbox mark its handoff asked for (readings.MISUNDERSTANDING_HANDOFF_MARK)."""
        if (answer is None or answer.reading is None) and not mark:
            return
        keeping = asyncio.create_task(self._keep(conversation_id, turn, answer, mark=mark))
        self._keeping_readings.add(keeping)
        keeping.add_done_callback(self._keeping_readings.discard)

    async def _keep(
        self, conversation_id: str, turn: BotTurn, answer: BotAnswer | None, *, mark: bool
    ) -> None:
        """A failure loses only the reading (and the mark): the turn is answered."""
        try:
            if answer is not None and answer.reading is not None:
                await readings.record(
                    self._ctx,
                    conversation_id=conversation_id,
                    message_id=turn.message_id,
                    text=turn.text,
                    reading=answer.reading,
                    replies=[reply.text for reply in answer.shown() if reply.text],
                    while_agent=False,
                )
            if mark:
                await readings.after_misunderstanding_handoff(self._ctx, conversation_id)
        except Exception:  # noqa: BLE001 - the turn is answered; the reading is a by-product
            logger.exception("keeping the reading of a turn of conversation %s failed", conversation_id)

    async def _send_noting_slowness(self, conversation: Conversation, turn: BotTurn) -> BotAnswer:
        identity = Identity(
            conversation_id=conversation.id,
            customer_id=conversation.customer_id,
            tier=conversation.tier.value,
        )
        signed = Turn(
            conversation_id=conversation.id,
            message_id=turn.message_id,
            text=turn.text,
            is_payload=turn.is_payload,
            identity=sign_identity(identity, self._ctx.settings.GATEWAY_SECRET),
        )
        sending = asyncio.ensure_future(self._ctx.rasa.send_turn(signed))
        done, _ = await asyncio.wait({sending}, timeout=self._slow_notice_seconds)
        if not done:
            await self._ctx.stores.messages.append(
                conversation.id, MessageRole.SYSTEM, BOT_SLOW_NOTICE, meta={"event": "bot_slow"}
            )
        return await sending

    async def _finish(self, conversation_id: str, turn: BotTurn, answer: BotAnswer | None) -> Finished:
        """Store the bot's replies, if it answered, and end the bot's turn, which is no longer delayed."""
        replies = answer.shown() if answer is not None else []
        meta = {"reply_to": turn.message_id}
        messages = [BotMessage(reply.text, reply.buttons, meta) for reply in replies]
        finished = await self._ctx.stores.bot_turns.finish(
            conversation_id,
            turn,
            messages,
            take_mark=readings.MISUNDERSTANDING_HANDOFF_MARK,
            clear_marks=(BOT_DELAY_NOTIFIED,),
        )
        self._ctx.turn_waiters.answered(conversation_id, turn.message_id, finished.stored or [])
        self._keep_reading(conversation_id, turn, answer, mark=finished.took_mark)
        return finished


async def tell_delayed(ctx: AppContext, conversation_id: str) -> list[MessagePublic]:
    """The bot cannot answer this conversation for now: tell the customer once (until it answers again) that
    every message will be answered in order, and release this process's waiters with that notice."""
    notices: list[MessagePublic] = []
    if await ctx.stores.conversations.mark_once(conversation_id, BOT_DELAY_NOTIFIED):
        notice = await ctx.stores.messages.append(
            conversation_id, MessageRole.SYSTEM, BOT_DELAYED_NOTICE, meta={"event": "bot_delayed"}
        )
        notices.append(notice)
    ctx.turn_waiters.delayed(conversation_id, notices)
    return notices
