"""Keeping the bot's reading of each customer message, and putting the misunderstood ones in the inbox.

The reading comes with the bot's answer to the turn (clients/rasa.py), from the parse the turn made anyway.
A message sent while an agent owns the conversation is not a bot turn: it is read by the channel's parse-only
endpoint, after the message is stored, so the customer never waits for it. Texts are stored masked, by this
process's writer thread (services/reading_writer.py), which writes what queues up meanwhile in one go.
"""

import asyncio
import logging
from datetime import UTC, datetime

from starlette.concurrency import run_in_threadpool

from contract.identity import Identity, Turn, sign_identity
from contract.pii import mask_pii
from handoff_api.clients.rasa import RasaRefused, RasaUnavailable
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.nlu_inbox import InboxPolicy, InboxReason, InboxStatus, group_key
from handoff_api.schemas import BotReading, MessagePublic
from handoff_api.services.context import AppContext
from handoff_api.sql import readings as sql

logger = logging.getLogger(__name__)

# Background parses of messages sent while an agent owns the conversation, kept so they are not collected.
_PENDING: set[asyncio.Task[None]] = set()
# Set on the conversation when the bot hands it over for repeated misunderstanding. The handoff is asked for
# inside the turn of the last misread message, whose reading is kept only once the turn is answered: the
# worker that finishes the turn takes the mark and marks the readings after writing that one.
MISUNDERSTANDING_HANDOFF_MARK = "inbox_after_turn"


def inbox_policy(ctx: AppContext) -> InboxPolicy:
    settings = ctx.settings
    return InboxPolicy(
        confidence_below=settings.NLU_INBOX_CONFIDENCE_BELOW,
        margin=settings.NLU_INBOX_MARGIN,
    )


async def record(
    ctx: AppContext,
    *,
    conversation_id: str,
    message_id: str,
    text: str,
    reading: BotReading,
    replies: list[str],
    while_agent: bool,
) -> None:
    """Store the reading (once per message), in the inbox when the policy says it was misunderstood."""
    before = await ctx.stores.messages.message_before(conversation_id, message_id)
    reason = inbox_policy(ctx).reason_for(reading)
    masked = mask_pii(text)
    row = {
        "conversation_id": conversation_id,
        "message_id": message_id,
        "text": masked,
        "group_key": group_key(masked),
        "intent": reading.intent,
        "confidence": reading.confidence,
        "runner_up": reading.runner_up,
        "runner_up_confidence": reading.runner_up_confidence,
        "ranking": [score.model_dump() for score in reading.ranking],
        "entities": [
            {"entity": entity.entity, "value": mask_pii(entity.value)} for entity in reading.entities
        ],
        "fallback": reading.fallback,
        "while_agent": while_agent,
        "context_before": mask_pii(before.text) if before is not None else None,
        "context_after": mask_pii("\n".join(replies)) if replies else None,
        "created_at": datetime.now(UTC),
        "reason": reason.value if reason is not None else None,
        "status": InboxStatus.WAITING.value if reason is not None else None,
    }
    await ctx.reading_writer.write(row)


def read_while_agent(ctx: AppContext, conversation: Conversation, message: MessagePublic) -> None:
    """Have the bot read a message it does not answer (an agent owns the conversation), in the background."""
    task = asyncio.create_task(_read_while_agent(ctx, conversation, message))
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


async def _read_while_agent(ctx: AppContext, conversation: Conversation, message: MessagePublic) -> None:
    identity = Identity(
        conversation_id=conversation.id, customer_id=conversation.customer_id, tier=conversation.tier.value
    )
    turn = Turn(
        conversation_id=conversation.id,
        message_id=message.id,
        text=message.text,
        is_payload=False,
        identity=sign_identity(identity, ctx.settings.GATEWAY_SECRET),
    )
    try:
        reading = await ctx.rasa.parse(turn)
        await record(
            ctx,
            conversation_id=conversation.id,
            message_id=message.id,
            text=message.text,
            reading=reading,
            replies=[],
            while_agent=True,
        )
    except (RasaUnavailable, RasaRefused) as exc:
        # A reading is worth having, not worth retrying: the message itself is stored and with the agent.
        logger.warning("no reading for a message of conversation %s: %s", conversation.id, exc)
    except Exception:  # noqa: BLE001 - a background task has nobody else to report to
        logger.exception("recording a reading of conversation %s failed", conversation.id)


async def after_misunderstanding_handoff(ctx: AppContext, conversation_id: str) -> None:
    """The bot gave up on understanding: its last readings go to the inbox, whatever their confidence. Called
    once the reading of the turn that asked for the handoff is written (MISUNDERSTANDING_HANDOFF_MARK)."""
    turns = ctx.settings.NLU_INBOX_HANDOFF_TURNS
    await ctx.reading_writer.write(sql.RecentMark(conversation_id, turns=turns, reason=InboxReason.HANDOFF))


async def flag(ctx: AppContext, *, conversation_id: str, message_id: str, intent: str | None) -> bool:
    """An agent says the bot misread this message; False when the bot never read it."""
    return await run_in_threadpool(
        sql.flag_message,
        ctx.engine,
        conversation_id=conversation_id,
        message_id=message_id,
        suggested_intent=intent,
    )
