"""What agents see: queue lines, their conversations, and one conversation with PII masked."""

import time
from typing import Any

from contract.pii import mask_pii
from handoff_api.domain.agents import Agent
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import NotAssigned
from handoff_api.domain.states import AgentRole
from handoff_api.schemas import (
    AgentConversationView,
    AgentPublic,
    ConversationSummary,
    HandoffRequest,
    MessagePublic,
)
from handoff_api.services.context import AppContext


def _summary(ctx: AppContext, conversation: Conversation) -> ConversationSummary:
    packet = conversation.packet or {}
    customer = ctx.directory.customers.get(conversation.customer_id)
    waited = int(time.time() - conversation.enqueued_at) if conversation.enqueued_at else None
    return ConversationSummary(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        customer_name=customer.name if customer else None,
        tier=conversation.tier,
        state=conversation.state,
        group=conversation.group,
        agent=conversation.agent,
        intent=packet.get("intent"),
        reason=packet.get("reason"),
        waited_seconds=waited,
        deadline=conversation.deadline,
        note=mask_pii(conversation.note) if conversation.note else None,
    )


async def profile(ctx: AppContext, agent: Agent) -> AgentPublic:
    """The agent as their console shows them, with the presence the server holds."""
    presence = (await ctx.stores.presence.statuses([agent.username]))[agent.username]
    return AgentPublic.model_validate({**agent.model_dump(), "presence": presence})


def _visible_groups(ctx: AppContext, agent: Agent) -> list[str]:
    return list(ctx.directory.routing.groups) if agent.role is AgentRole.SUPERVISOR else agent.groups


async def queue_for(ctx: AppContext, agent: Agent) -> list[ConversationSummary]:
    ids = [
        cid
        for group in _visible_groups(ctx, agent)
        for cid in await ctx.stores.conversations.queued_ids(group)
    ]
    conversations = await ctx.stores.conversations.get_many(ids)
    return sorted((_summary(ctx, c) for c in conversations), key=lambda line: line.deadline or 0.0)


async def conversations_of(ctx: AppContext, agent: Agent) -> list[ConversationSummary]:
    ids = await ctx.stores.conversations.agent_conversation_ids(agent.username)
    return [_summary(ctx, c) for c in await ctx.stores.conversations.get_many(ids)]


def ensure_can_read(agent: Agent, conversation: Conversation) -> None:
    if agent.role is not AgentRole.SUPERVISOR and conversation.agent != agent.username:
        raise NotAssigned


def masked(message: MessagePublic) -> MessagePublic:
    return message.model_copy(update={"text": mask_pii(message.text)})


def _masked_packet(packet: dict[str, Any] | None) -> HandoffRequest | None:
    if packet is None:
        return None
    request = HandoffRequest.model_validate(packet)
    for line in request.transcript:
        line.text = mask_pii(line.text)
    # Slots such as a phone number the bot collected are PII too.
    request.slots = {k: mask_pii(v) if isinstance(v, str) else v for k, v in request.slots.items()}
    return request


async def conversation_view(ctx: AppContext, agent: Agent, conversation_id: str) -> AgentConversationView:
    conversation = await ctx.stores.conversations.get(conversation_id)
    ensure_can_read(agent, conversation)
    messages = await ctx.stores.messages.read_after(conversation_id)
    return AgentConversationView(
        summary=_summary(ctx, conversation),
        packet=_masked_packet(conversation.packet),
        messages=[masked(message) for message in messages],
    )
