"""What supervisors see: queues against targets, seats with presence and load, outcomes, reasons, CSAT."""

import time

from starlette.concurrency import run_in_threadpool

from handoff_api.context import AppContext
from handoff_api.crud import csat_summary
from handoff_api.queue_status import observed_assign_interval
from handoff_api.schemas import AgentSeatPublic, GroupOverview, SupervisorOverview
from handoff_api.states import AgentRole


async def _group_overview(
    ctx: AppContext, group: str, length: int, past_target: int, now: float
) -> GroupOverview:
    head_ids = await ctx.conversations.queued_ids(group, limit=1)
    heads = await ctx.conversations.get_many(head_ids)
    head = heads[0] if heads else None
    return GroupOverview(
        group=group,
        label=ctx.routing.groups[group].label,
        queue_length=length,
        past_target=past_target,
        oldest_wait_seconds=int(now - head.enqueued_at) if head and head.enqueued_at else None,
        oldest_target_seconds=ctx.routing.tiers[head.tier].target_wait_seconds if head else None,
        seconds_per_assignment=await observed_assign_interval(ctx.redis, ctx.conversations.keys, group),
    )


async def _seats(ctx: AppContext) -> list[AgentSeatPublic]:
    workers = [agent for agent in ctx.agents.values() if agent.role is AgentRole.AGENT]
    usernames = [agent.username for agent in workers]
    statuses = await ctx.presence.statuses(usernames)
    loads = await ctx.conversations.loads(usernames)
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


def _outcomes_by_group(counts: dict[str, str]) -> dict[str, dict[str, int]]:
    by_group: dict[str, dict[str, int]] = {}
    for field, count in counts.items():
        group, _, outcome = field.rpartition(":")
        by_group.setdefault(group, {})[outcome] = int(count)
    return by_group


async def overview(ctx: AppContext) -> SupervisorOverview:
    now = time.time()
    groups = list(ctx.routing.groups)
    lengths = await ctx.conversations.queue_lengths(groups)
    past_target = await ctx.conversations.overdue_counts(groups, now)
    keys = ctx.conversations.keys
    return SupervisorOverview(
        groups=[await _group_overview(ctx, g, lengths[g], past_target[g], now) for g in groups],
        agents=await _seats(ctx),
        outcomes=_outcomes_by_group(await ctx.redis.hgetall(keys.outcome_counts())),
        handoff_reasons={
            reason: int(n) for reason, n in (await ctx.redis.hgetall(keys.reason_counts())).items()
        },
        csat=await run_in_threadpool(csat_summary, ctx.engine),
    )
