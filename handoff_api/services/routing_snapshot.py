"""The routing policy's view of the shared state: online seats with their load, and waiting conversations."""

from handoff_api.domain.agents import Agent
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.routing_policy import Seat, Waiting
from handoff_api.domain.states import AgentRole
from handoff_api.services.context import AppContext

# How far down each group's queue one round of assignment looks, per free seat: a few per seat leave room
# for conversations no free seat may take (a busy secretary's), and later ones move up meanwhile.
LOOKAHEAD_PER_FREE_SEAT = 3
MIN_LOOKAHEAD = 10


async def online_workers(ctx: AppContext) -> list[Agent]:
    """Agents (not supervisors) online now, in directory order."""
    online = await ctx.stores.presence.online_usernames()
    return [
        agent
        for agent in ctx.directory.agents.values()
        if agent.role is AgentRole.AGENT and agent.username in online
    ]


def seat(agent: Agent, load: int) -> Seat:
    return Seat(
        username=agent.username,
        level=agent.level,
        groups=frozenset(agent.groups),
        capacity=agent.capacity,
        load=load,
    )


async def online_seats(ctx: AppContext) -> list[Seat]:
    workers = await online_workers(ctx)
    loads = await ctx.stores.conversations.loads([agent.username for agent in workers])
    return [seat(agent, loads[agent.username]) for agent in workers]


def waiting(ctx: AppContext, conversation: Conversation, *, group: str, deadline: float) -> Waiting:
    customer = ctx.directory.customers.get(conversation.customer_id)
    return Waiting(
        conversation_id=conversation.id,
        group=group,
        tier=conversation.tier,
        deadline=deadline,
        secretary=customer.secretary if customer else None,
    )


async def waiting_queue(ctx: AppContext, *, free_seats: int, now: float) -> list[Waiting]:
    """The head of every group's queue, without conversations whose bot turn is still running."""
    lookahead = MIN_LOOKAHEAD + LOOKAHEAD_PER_FREE_SEAT * free_seats
    ids = [
        cid
        for group in ctx.directory.routing.groups
        for cid in await ctx.stores.conversations.queued_ids(group, lookahead)
    ]
    return [
        waiting(ctx, conversation, group=conversation.group, deadline=conversation.deadline)
        for conversation in await ctx.stores.conversations.get_many(ids)
        if conversation.group is not None
        and conversation.deadline is not None
        and not conversation.in_bot_turn(now)
    ]
