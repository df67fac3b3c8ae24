"""What supervisors see: queues against targets, seats with presence and load, outcomes, reasons, CSAT."""

import time

from starlette.concurrency import run_in_threadpool

from handoff_api.domain.states import AgentRole
from handoff_api.schemas import AgentSeatPublic, GroupOverview, SupervisorOverview
from handoff_api.services.context import AppContext
from handoff_api.sql.crud import csat_summary


async def _group_overview(
    ctx: AppContext, group: str, length: int, past_target: int, now: float
) -> GroupOverview:
    head_ids = await ctx.stores.conversations.queued_ids(group, limit=1)
    heads = await ctx.stores.conversations.get_many(head_ids)
    head = heads[0] if heads else None
    return GroupOverview(
        group=group,
        label=ctx.directory.routing.groups[group].label,
        queue_length=length,
        past_target=past_target,
        oldest_wait_seconds=int(now - head.enqueued_at) if head and head.enqueued_at else None,
        oldest_target_seconds=ctx.directory.routing.tiers[head.tier].target_wait_seconds if head else None,
        seconds_per_assignment=await ctx.stores.stats.assign_interval(group),
    )


async def _seats(ctx: AppContext) -> list[AgentSeatPublic]:
    workers = [agent for agent in ctx.directory.agents.values() if agent.role is AgentRole.AGENT]
    usernames = [agent.username for agent in workers]
    statuses = await ctx.stores.presence.statuses(usernames)
    loads = await ctx.stores.conversations.loads(usernames)
    return [
        AgentSeatPublic(
            username=agent.username,
            name=agent.name,
            level=agent.level,
            groups=agent.groups,
            presence=statuses[agent.username],
            load=loads[agent.username],
            capacity=agent.capacity,
        )
        for agent in workers
    ]


async def overview(ctx: AppContext) -> SupervisorOverview:
    now = time.time()
    groups = list(ctx.directory.routing.groups)
    lengths = await ctx.stores.conversations.queue_lengths(groups)
    past_target = await ctx.stores.conversations.overdue_counts(groups, now)
    return SupervisorOverview(
        groups=[await _group_overview(ctx, g, lengths[g], past_target[g], now) for g in groups],
        agents=await _seats(ctx),
        outcomes=await ctx.stores.stats.outcome_counts(),
        handoff_reasons=await ctx.stores.stats.reason_counts(),
        csat=await run_in_threadpool(csat_summary, ctx.engine),
    )
