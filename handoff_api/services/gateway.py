"""The chat gateway: a customer message goes to Rasa, is held while queued, or waits for the agent."""

import logging

from handoff_api.clients.rasa import RasaUnavailable
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.states import ConversationState, MessageRole
from handoff_api.schemas import CustomerMessageIn, MessagePublic
from handoff_api.services.context import AppContext
from handoff_api.services.handoffs import wake_dispatcher

logger = logging.getLogger(__name__)

RASA_DOWN_APOLOGY = "抱歉，智能助手暂时无法回复，请稍后再试。"


async def handle_customer_message(
    ctx: AppContext, conversation: Conversation, message: CustomerMessageIn
) -> list[MessagePublic]:
    """Store the message and, while the bot owns the conversation, the bot's replies; return all stored."""
    stored = [await ctx.stores.messages.append(conversation.id, MessageRole.CUSTOMER, message.text)]
    # Re-read the owner: a handoff may have happened since the caller loaded the conversation.
    current = await ctx.stores.conversations.get(conversation.id)
    if current.state is ConversationState.BOT:
        stored += await _ask_bot(ctx, current, message.payload or message.text)
    return stored


async def _ask_bot(ctx: AppContext, conversation: Conversation, text: str) -> list[MessagePublic]:
    # The action server may request a handoff inside this turn; the dispatcher leaves the conversation
    # alone until the bot's reply ("you are in the queue") is stored, then is woken to assign it.
    await ctx.stores.conversations.begin_bot_turn(
        conversation.id, max_seconds=ctx.settings.RASA_TIMEOUT_SECONDS + 1
    )
    try:
        return await _bot_replies(ctx, conversation, text)
    finally:
        if await ctx.stores.conversations.end_bot_turn(conversation.id) is ConversationState.QUEUED:
            wake_dispatcher(ctx)


async def _bot_replies(ctx: AppContext, conversation: Conversation, text: str) -> list[MessagePublic]:
    if conversation.rasa_resume_pending and await ctx.rasa.set_paused(conversation.id, paused=False):
        await ctx.stores.conversations.set_rasa_resume_pending(conversation.id, False)
    metadata = {
        "customer_id": conversation.customer_id,
        "tier": conversation.tier.value,
        "conversation_id": conversation.id,
    }
    try:
        replies = await ctx.rasa.send_message(conversation.id, text, metadata)
    except RasaUnavailable as exc:
        logger.warning("rasa unavailable for conversation %s: %s", conversation.id, exc)
        apology = await ctx.stores.messages.append(
            conversation.id, MessageRole.SYSTEM, RASA_DOWN_APOLOGY, meta={"event": "bot_unavailable"}
        )
        return [apology]
    return [
        await ctx.stores.messages.append(conversation.id, MessageRole.BOT, reply.text, buttons=reply.buttons)
        for reply in replies
    ]
