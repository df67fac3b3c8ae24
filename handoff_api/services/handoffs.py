"""The handoff lifecycle: queue, assign (by hand here, automatically in dispatcher.py), transfer, end."""

import time
from datetime import UTC, datetime
from typing import Any

from starlette.concurrency import run_in_threadpool

from contract.names import HandoffOutcome, HandoffReason, HandoffStatus
from contract.pii import mask_pii
from handoff_api.domain.agents import Agent
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import (
    ConversationNotQueued,
    CustomerMismatch,
    NotAssigned,
    NotInGroup,
    UnknownTransferTarget,
)
from handoff_api.domain.routing import choose_group, deadline
from handoff_api.domain.routing_policy import Waiting, serving_groups
from handoff_api.domain.states import AgentRole, ConversationState, MessageRole, PresenceStatus
from handoff_api.domain.wait_estimate import WaitEstimate, describe
from handoff_api.schemas import (
    ConversationStatus,
    HandoffRequest,
    HandoffResult,
    MessagePublic,
    TransferIn,
)
from handoff_api.services import notices, readings
from handoff_api.services.context import AppContext
from handoff_api.services.queue_status import (
    announce_queued,
    group_capacity,
    push_queue_updates,
    queue_figures,
    wait_at,
)
from handoff_api.services.routing_snapshot import waiting
from handoff_api.sql.analytics import insert_handoff
from handoff_api.sql.crud import record_closed_conversation
from handoff_api.sql.models import HandoffRecord
from handoff_api.store.lua_scripts import EnqueueResult


def wake_dispatcher(ctx: AppContext) -> None:
    """New work or a free agent: this process's dispatcher runs a round now instead of at its next tick."""
    ctx.dispatch_requested.set()


async def _file_record(
    ctx: AppContext, conversation: Conversation, request: HandoffRequest, group: str, now: float
) -> None:
    """The handoff's record for the bot analytics; the outcome log completes it (analytics_recorder.py)."""
    record = HandoffRecord(
        conversation_id=conversation.id,
        tier=conversation.tier.value,
        group=group,
        intent=request.intent,
        reason=request.reason,
        requested_at=datetime.fromtimestamp(now, UTC),
        target_wait_seconds=float(ctx.directory.routing.tiers[conversation.tier].target_wait_seconds),
    )
    await run_in_threadpool(insert_handoff, ctx.engine, record=record)


async def _no_agent(
    ctx: AppContext, conversation: Conversation, request: HandoffRequest, group: str, now: float
) -> HandoffResult:
    await _file_record(ctx, conversation, request, group, now)
    # No hand-back to Rasa here: the action server is waiting for this answer inside a Rasa turn, which
    # holds the conversation's lock, and offers the callback itself.
    await ctx.stores.scripts.record_outcome(
        conversation.id, outcome=HandoffOutcome.NO_AGENT, group=group, now=now
    )
    return HandoffResult(status=HandoffStatus.NO_AGENT, group=group, **_wait_fields(None))


def _secretary_on_duty(ctx: AppContext, candidate: Waiting) -> str | None:
    """The customer's designated secretary, if they are an agent who takes conversations."""
    agent = ctx.directory.agents.get(candidate.secretary or "")
    return agent.username if agent is not None and agent.role is AgentRole.AGENT else None


async def request_handoff(ctx: AppContext, request: HandoffRequest) -> HandoffResult:
    conversation = await ctx.stores.conversations.get(request.conversation_id)
    if conversation.customer_id != request.customer_id:
        raise CustomerMismatch
    if request.reason == HandoffReason.REPEATED_MISUNDERSTANDING:  # the inbox, once this turn is answered
        await ctx.stores.conversations.mark_once(conversation.id, readings.MISUNDERSTANDING_HANDOFF_MARK)
    # The tier comes from the session the handoff API issued, not from the request, which only echoes it.
    group = choose_group(
        ctx.directory.routing, intent=request.intent, reason=request.reason, tier=conversation.tier
    )
    now = time.time()
    if not ctx.directory.routing.is_open(datetime.fromtimestamp(now, UTC)):
        await ctx.stores.stats.count_reason(request.reason)
        return await _no_agent(ctx, conversation, request, group, now)
    target = deadline(ctx.directory.routing, tier=conversation.tier, enqueued_at=now)
    candidate = waiting(ctx, conversation, group=group, deadline=target)
    # The script checks who is online, counts the reason and reads the position as well.
    enqueued = await ctx.stores.scripts.enqueue(
        conversation.id,
        group=group,
        deadline=candidate.deadline,
        enqueued_at=now,
        timeout_at=now + ctx.directory.routing.queue_timeout_seconds,
        packet_json=request.model_copy(update={"tier": conversation.tier}).model_dump_json(),
        reason=request.reason,
        serving_groups=serving_groups(ctx.directory.routing, candidate),
        secretary=_secretary_on_duty(ctx, candidate),
    )
    if enqueued.result is EnqueueResult.NO_AGENT:
        return await _no_agent(ctx, conversation, request, group, now)
    if enqueued.position is None:  # waiting in an earlier request's group
        figures = await queue_figures(ctx, conversation.id, enqueued.group)
    else:
        figures = (
            enqueued.position,
            wait_at(ctx, enqueued.position, await group_capacity(ctx, enqueued.group)),
        )
    if enqueued.result is EnqueueResult.QUEUED and figures is not None:
        await announce_queued(ctx, conversation.id, enqueued.group, position=figures[0], estimate=figures[1])
        wake_dispatcher(ctx)
    if enqueued.result is EnqueueResult.QUEUED:
        # After the customer is told and the dispatcher woken: the record is no step of the handoff itself.
        await _file_record(ctx, conversation, request, enqueued.group, now)
    return HandoffResult(status=HandoffStatus.QUEUED, group=enqueued.group, **_wait_fields(figures))


def _wait_fields(figures: tuple[int, WaitEstimate] | None) -> dict[str, Any]:
    if figures is None:
        return {"position": None, "estimated_wait_seconds": None, "estimated_wait_text": None}
    position, estimate = figures
    return {
        "position": position,
        "estimated_wait_seconds": estimate.seconds,
        "estimated_wait_text": describe(estimate),
    }


async def conversation_status(ctx: AppContext, conversation: Conversation) -> ConversationStatus:
    figures = None
    if conversation.state is ConversationState.QUEUED and conversation.group:
        figures = await queue_figures(ctx, conversation.id, conversation.group)
    return ConversationStatus(
        conversation_id=conversation.id,
        state=conversation.state,
        group=conversation.group,
        **_wait_fields(figures),
    )


async def claim(ctx: AppContext, agent: Agent, conversation_id: str) -> None:
    """Idempotent for the agent who already has the conversation: the dispatcher may have given it to them
    between their page showing it in the queue and their click."""
    conversation = await ctx.stores.conversations.get(conversation_id)
    if conversation.state is ConversationState.AGENT and conversation.agent == agent.username:
        return
    if conversation.state is not ConversationState.QUEUED or conversation.group is None:
        raise ConversationNotQueued
    if not agent.serves(conversation.group):
        raise NotInGroup
    newly_assigned = await ctx.stores.scripts.claim(
        conversation_id,
        agent=agent.username,
        group=conversation.group,
        capacity=agent.capacity,
        now=time.time(),
        smoothing=ctx.directory.routing.assign_interval_smoothing,
    )
    if not newly_assigned:
        return  # whoever assigned it has announced it
    await notices.agent_joined(ctx, conversation_id, agent_username=agent.username, group=conversation.group)
    await push_queue_updates(ctx, conversation.group)


async def close(ctx: AppContext, agent: Agent, conversation_id: str, *, wrap_up: str) -> None:
    conversation = await ctx.stores.conversations.get(conversation_id)
    await ctx.stores.scripts.release(
        conversation_id,
        agent=agent.username,
        group=conversation.group or "",
        now=time.time(),
        handle_time_smoothing=ctx.directory.routing.handle_time_smoothing,
    )
    await archive_closed(ctx, conversation, wrap_up=wrap_up)
    wake_dispatcher(ctx)  # the agent has room for the next customer
    await notices.handed_back(ctx, conversation_id, HandoffOutcome.RESOLVED, wrap_up=wrap_up)
    # Archived: from here the conversation expires sooner, unless the customer carries on.
    await ctx.stores.conversations.keep(conversation_id, ctx.settings.CLOSED_CONVERSATION_TTL_SECONDS)


async def archive_closed(ctx: AppContext, conversation: Conversation, *, wrap_up: str) -> None:
    """The summary and the masked transcript go to the SQL database: what is kept once Redis forgets."""
    messages = await ctx.stores.messages.read_after(conversation.id)
    transcript = [{"role": m.role.value, "text": mask_pii(m.text), "ts": m.ts} for m in messages]
    await run_in_threadpool(
        record_closed_conversation,
        ctx.engine,
        conversation=conversation,
        outcome=HandoffOutcome.RESOLVED,
        wrap_up=wrap_up,
        transcript=transcript,
    )


async def cancel(ctx: AppContext, conversation: Conversation) -> None:
    """The customer leaves the queue and goes back to the bot."""
    if conversation.state is not ConversationState.QUEUED or conversation.group is None:
        raise ConversationNotQueued
    ended_here = await ctx.stores.scripts.end_wait(
        conversation.id,
        group=conversation.group,
        outcome=HandoffOutcome.CANCELLED,
        now=time.time(),
        only_if_due=False,
    )
    if not ended_here:
        raise ConversationNotQueued
    await notices.handed_back(ctx, conversation.id, HandoffOutcome.CANCELLED)
    await push_queue_updates(ctx, conversation.group)


async def transfer(ctx: AppContext, agent: Agent, conversation_id: str, body: TransferIn) -> None:
    """Send the agent's conversation to a group queue or straight to another agent, packet and all."""
    conversation = await ctx.stores.conversations.get(conversation_id)
    if conversation.state is not ConversationState.AGENT or conversation.agent != agent.username:
        raise NotAssigned
    if body.agent is not None:
        await _transfer_to_agent(ctx, agent, conversation, body)
    else:
        await _transfer_to_group(ctx, agent, conversation, body)
    wake_dispatcher(ctx)  # the transferring agent has room again, and a group may have new work


async def _transfer_to_agent(
    ctx: AppContext, agent: Agent, conversation: Conversation, body: TransferIn
) -> None:
    target = ctx.directory.agents.get(body.agent or "")
    if target is None:
        raise UnknownTransferTarget
    await ctx.stores.scripts.transfer_to_agent(
        conversation.id,
        agent=agent.username,
        target=target.username,
        target_capacity=target.capacity,
        now=time.time(),
        note=body.note,
    )
    await notices.agent_joined(
        ctx, conversation.id, agent_username=target.username, group=conversation.group or ""
    )


async def _transfer_to_group(
    ctx: AppContext, agent: Agent, conversation: Conversation, body: TransferIn
) -> None:
    if body.group not in ctx.directory.routing.groups:
        raise UnknownTransferTarget
    now = time.time()
    await ctx.stores.scripts.transfer_to_group(
        conversation.id,
        agent=agent.username,
        group=body.group,
        deadline=deadline(ctx.directory.routing, tier=conversation.tier, enqueued_at=now),
        enqueued_at=now,
        timeout_at=now + ctx.directory.routing.queue_timeout_seconds,
        note=body.note,
    )
    figures = await queue_figures(ctx, conversation.id, body.group)
    if figures is not None:
        await announce_queued(ctx, conversation.id, body.group, position=figures[0], estimate=figures[1])


async def set_presence(ctx: AppContext, agent: Agent, status: PresenceStatus) -> None:
    await ctx.stores.presence.set_status(agent.username, status)
    if status is PresenceStatus.ONLINE:
        wake_dispatcher(ctx)


async def send_agent_message(ctx: AppContext, agent: Agent, conversation_id: str, text: str) -> MessagePublic:
    conversation = await ctx.stores.conversations.get(conversation_id)
    if conversation.state is not ConversationState.AGENT or conversation.agent != agent.username:
        raise NotAssigned
    return await ctx.stores.messages.append(
        conversation_id, MessageRole.AGENT, text, meta={"agent_name": agent.name, "group": conversation.group}
    )
