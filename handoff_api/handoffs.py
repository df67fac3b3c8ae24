"""The handoff lifecycle: queue a conversation, let an agent claim it, hand it back to the bot."""

import time

from starlette.concurrency import run_in_threadpool

from handoff_api.agents import Agent, agents_serving
from handoff_api.context import AppContext
from handoff_api.conversations import Conversation
from handoff_api.crud import record_closed_conversation
from handoff_api.exceptions import ConversationNotQueued, CustomerMismatch, NotAssigned, NotInGroup
from handoff_api.lua_scripts import EnqueueResult
from handoff_api.routing import choose_group, deadline
from handoff_api.schemas import ConversationStatus, HandoffRequest, HandoffResult, MessagePublic
from handoff_api.states import ConversationState, HandoffOutcome, HandoffStatus, MessageRole
from handoff_api.wait_estimate import estimate_wait_seconds


async def _online_agents(ctx: AppContext, group: str) -> list[str]:
    return await ctx.presence.online([agent.username for agent in agents_serving(ctx.agents, group)])


async def _queue_figures(ctx: AppContext, conversation_id: str, group: str) -> tuple[int | None, int | None]:
    """Position in the group's queue and estimated wait, or (None, None) when not queued there."""
    position = await ctx.conversations.queue_position(conversation_id, group)
    if position is None:
        return None, None
    online = len(await _online_agents(ctx, group))
    estimate = estimate_wait_seconds(
        position=position, online_agents=online, average_assign_seconds=ctx.routing.average_assign_seconds
    )
    return position, estimate


async def request_handoff(ctx: AppContext, request: HandoffRequest) -> HandoffResult:
    conversation = await ctx.conversations.get(request.conversation_id)
    if conversation.customer_id != request.customer_id:
        raise CustomerMismatch
    # The tier comes from the session the handoff API issued, not from the request, which only echoes it.
    group = choose_group(ctx.routing, intent=request.intent, reason=request.reason, tier=conversation.tier)
    if not await _online_agents(ctx, group):
        return HandoffResult(
            status=HandoffStatus.NO_AGENT, group=group, position=None, estimated_wait_seconds=None
        )
    now = time.time()
    result = await ctx.scripts.enqueue(
        conversation.id,
        group=group,
        deadline=deadline(ctx.routing, tier=conversation.tier, enqueued_at=now),
        enqueued_at=now,
        packet_json=request.model_copy(update={"tier": conversation.tier}).model_dump_json(),
    )
    # A repeated request leaves the conversation in the group it was first queued for.
    queued_group = (await ctx.conversations.get(conversation.id)).group or group
    position, estimate = await _queue_figures(ctx, conversation.id, queued_group)
    if result is EnqueueResult.QUEUED:
        await ctx.messages.append(
            conversation.id,
            MessageRole.SYSTEM,
            f"正在为您转接人工客服（{ctx.routing.groups[group].label}），当前排队第 {position} 位，"
            f"预计等待约 {estimate} 秒。",
            meta={
                "event": "queued",
                "group": group,
                "position": position,
                "estimated_wait_seconds": estimate,
            },
        )
    return HandoffResult(
        status=HandoffStatus.QUEUED, group=queued_group, position=position, estimated_wait_seconds=estimate
    )


async def conversation_status(ctx: AppContext, conversation: Conversation) -> ConversationStatus:
    position, estimate = None, None
    if conversation.state is ConversationState.QUEUED and conversation.group:
        position, estimate = await _queue_figures(ctx, conversation.id, conversation.group)
    return ConversationStatus(
        conversation_id=conversation.id,
        state=conversation.state,
        group=conversation.group,
        position=position,
        estimated_wait_seconds=estimate,
    )


async def claim(ctx: AppContext, agent: Agent, conversation_id: str) -> None:
    conversation = await ctx.conversations.get(conversation_id)
    if conversation.state is not ConversationState.QUEUED or conversation.group is None:
        raise ConversationNotQueued
    if not agent.serves(conversation.group):
        raise NotInGroup
    await ctx.scripts.claim(
        conversation_id,
        agent=agent.username,
        group=conversation.group,
        capacity=agent.capacity,
        assigned_at=time.time(),
    )
    group_label = ctx.routing.groups[conversation.group].label
    await ctx.messages.append(
        conversation_id,
        MessageRole.SYSTEM,
        f"坐席 {agent.name}（{group_label}）已接入，为您服务。",
        meta={
            "event": "agent_joined",
            "agent_name": agent.name,
            "group": conversation.group,
            "group_label": group_label,
        },
    )
    await ctx.rasa.set_paused(conversation_id, paused=True)


async def close(ctx: AppContext, agent: Agent, conversation_id: str, *, wrap_up: str) -> None:
    conversation = await ctx.conversations.get(conversation_id)
    await ctx.scripts.release(conversation_id, agent=agent.username)
    await run_in_threadpool(
        record_closed_conversation,
        ctx.engine,
        conversation=conversation,
        outcome=HandoffOutcome.RESOLVED,
        wrap_up=wrap_up,
    )
    await ctx.messages.append(
        conversation_id,
        MessageRole.SYSTEM,
        "本次人工服务已结束，智能助手将继续为您服务。",
        meta={"event": "returned_to_bot", "wrap_up": wrap_up},
    )
    await ctx.rasa.set_paused(conversation_id, paused=False)


async def send_agent_message(ctx: AppContext, agent: Agent, conversation_id: str, text: str) -> MessagePublic:
    conversation = await ctx.conversations.get(conversation_id)
    if conversation.state is not ConversationState.AGENT or conversation.agent != agent.username:
        raise NotAssigned
    return await ctx.messages.append(
        conversation_id, MessageRole.AGENT, text, meta={"agent_name": agent.name, "group": conversation.group}
    )
