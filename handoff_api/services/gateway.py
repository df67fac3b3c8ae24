"""The chat gateway: a customer message is stored, then goes to the bot, is held while queued, or waits for
the agent.

Full card and ID numbers never get past this point: they are masked before the message is stored or sent
to the bot, which needs no more than a card's last four digits, and the customer is told once not to type
them. The bot's answer comes from the bot-turn worker (bot_turns.py); an HTTP sender may wait for it.
"""

import asyncio
import time
from dataclasses import dataclass

from contract.pii import mask_account_numbers
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.states import MessageRole
from handoff_api.schemas import CustomerMessageIn, MessagePublic
from handoff_api.services import readings
from handoff_api.services.bot_turns import BOT_DELAY_NOTIFIED, tell_delayed
from handoff_api.services.context import AppContext
from handoff_api.services.turn_waiters import TurnAnswer
from handoff_api.store.bot_turns import Accepted

ACCOUNT_NUMBER_NOTICE = "为保护您的账户安全，请不要在对话中输入完整的卡号或证件号码，提供卡号后四位即可。"
# The web chat's own controls, offered in every conversation (the 转人工 button).
STANDING_PAYLOADS = ("/request_human",)
# Set on the conversation once the customer has been told not to type full numbers.
_ACCOUNT_NUMBER_NOTICE_GIVEN = "account_number_notice"


@dataclass(frozen=True)
class SentByCustomer:
    stored: list[MessagePublic]  # the message as stored, and a notice if the customer was warned
    for_bot: bool  # the bot owns the conversation: its replies follow
    # With wait_for_bot, while the bot is answering normally: its replies, for `wait_for_replies`.
    replies: asyncio.Future[TurnAnswer] | None


async def accept_customer_message(
    ctx: AppContext, conversation: Conversation, message: CustomerMessageIn, *, wait_for_bot: bool
) -> SentByCustomer:
    """Store the message (masked) and queue it for the bot while the bot owns the conversation."""
    text = mask_account_numbers(message.text)
    accepted = await _store(ctx, conversation.id, text, message.payload)
    stored = [accepted.message]
    future = None
    if accepted.turn is not None:
        # While the bot is unreachable the customer is told (once); the replies come when it is back.
        if not ctx.rasa.any_server_up():
            stored += await tell_delayed(ctx, conversation.id)
        elif wait_for_bot and not accepted.bot_delayed:
            future = ctx.turn_waiters.expect(conversation.id, accepted.turn.message_id)
        if accepted.leased is None:
            ctx.turn_waiters.wakeup.set()
    elif message.payload is None:
        # Not a bot turn (queued, or with an agent): the bot still reads it, for the inbox and the agent.
        readings.read_while_agent(ctx, conversation, accepted.message)
    if text != message.text and await ctx.stores.conversations.mark_once(
        conversation.id, _ACCOUNT_NUMBER_NOTICE_GIVEN
    ):
        stored.append(
            await ctx.stores.messages.append(
                conversation.id,
                MessageRole.SYSTEM,
                ACCOUNT_NUMBER_NOTICE,
                meta={"event": "account_number_masked"},
            )
        )
    return SentByCustomer(stored, accepted.queued_for_bot, future)


async def _store(ctx: AppContext, conversation_id: str, text: str, payload: str | None) -> Accepted:
    """The message stored and queued; leased to this process's worker as well when it has room and no
    worker holds the conversation, so the worker serves it at once rather than after a claim."""
    server = ctx.turn_waiters.server
    lease_until = server.reserve() if server else None
    leased = None
    try:
        accepted = await ctx.stores.bot_turns.accept_customer_message(
            conversation_id,
            text=text,
            payload=payload,
            now=time.time(),
            delay_mark=BOT_DELAY_NOTIFIED,
            standing_payloads=STANDING_PAYLOADS,
            lease_until=lease_until,
        )
        if accepted.leased and accepted.turn:
            leased = (accepted.leased, accepted.turn)
        return accepted
    finally:
        if server and lease_until is not None:
            server.release(leased)


async def wait_for_replies(
    ctx: AppContext, conversation_id: str, message_id: str, future: asyncio.Future[TurnAnswer]
) -> TurnAnswer:
    """The bot's replies, or what the customer was told while it is catching up; replies that are not here
    arrive on the conversation's stream."""
    try:
        return await asyncio.wait_for(asyncio.shield(future), ctx.settings.BOT_REPLY_WAIT_SECONDS)
    except TimeoutError:
        return TurnAnswer([], bot_answered=False)
    finally:
        ctx.turn_waiters.forget(conversation_id, message_id)
