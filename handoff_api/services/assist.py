"""Agent assist: the bot's reading of each customer message, the bot's answer for the latest one, and the
agent's "the bot misread this" into the trainer's inbox."""

from starlette.concurrency import run_in_threadpool

from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import ReadingNotFound
from handoff_api.domain.nlu_inbox import InboxReason
from handoff_api.schemas import AssistView, EntityReading, ReadingPublic, Suggestion
from handoff_api.services import readings
from handoff_api.services.agent_views import ensure_can_read
from handoff_api.services.context import AppContext
from handoff_api.sql import readings as sql
from handoff_api.store.messages import stream_order


async def assist_view(ctx: AppContext, agent: Agent, conversation_id: str) -> AssistView:
    conversation = await ctx.stores.conversations.get(conversation_id)
    ensure_can_read(agent, conversation)
    rows = await run_in_threadpool(sql.conversation_readings, ctx.engine, conversation_id=conversation_id)
    # Readings are kept as their parses finish, which need not be the order the customer wrote in.
    rows = sorted(rows, key=lambda row: stream_order(row.message_id))
    latest = rows[-1] if rows else None
    answer = (
        ctx.directory.assist.answer(latest.intent, conversation.tier.value)
        if latest is not None and latest.intent and not latest.fallback
        else None
    )
    return AssistView(
        readings=[
            ReadingPublic(
                message_id=row.message_id,
                intent=row.intent,
                confidence=row.confidence,
                runner_up=row.runner_up,
                entities=[EntityReading.model_validate(entity) for entity in row.entities],
                fallback=row.fallback,
                flagged=row.reason == InboxReason.AGENT_FLAG.value,
            )
            for row in rows
        ],
        suggestions=[Suggestion(intent=latest.intent, text=answer)]
        if latest and latest.intent and answer
        else [],
    )


async def flag_misread(
    ctx: AppContext, agent: Agent, conversation_id: str, message_id: str, intent: str | None
) -> None:
    ensure_can_read(agent, await ctx.stores.conversations.get(conversation_id))
    if not await readings.flag(ctx, conversation_id=conversation_id, message_id=message_id, intent=intent):
        raise ReadingNotFound
