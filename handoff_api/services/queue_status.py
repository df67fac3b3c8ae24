"""What a waiting customer is told: their position and an honest estimate of the wait, pushed as system
messages when the queue moves (domain/wait_estimate.py says how the estimate is made)."""

from handoff_api.domain.states import MessageRole
from handoff_api.domain.wait_estimate import GroupCapacity, WaitEstimate, describe, estimate_wait
from handoff_api.services.context import AppContext
from handoff_api.services.routing_snapshot import online_seats


async def group_capacity(ctx: AppContext, group: str) -> GroupCapacity:
    """The online agents of the group, their free seats, and the group's observed handling time."""
    serving = [seat for seat in await online_seats(ctx) if group in seat.groups]
    handle_seconds, samples = await ctx.stores.stats.handling(group)
    return GroupCapacity(
        seats=sum(seat.capacity for seat in serving),
        free_seats=sum(max(seat.free, 0) for seat in serving),
        handle_seconds=handle_seconds,
        handle_samples=samples,
    )


def wait_at(ctx: AppContext, position: int, capacity: GroupCapacity) -> WaitEstimate:
    routing = ctx.directory.routing
    return estimate_wait(
        position=position,
        capacity=capacity,
        default_handle_seconds=routing.average_handle_seconds,
        min_samples=routing.handle_time_min_samples,
    )


async def queue_figures(ctx: AppContext, conversation_id: str, group: str) -> tuple[int, WaitEstimate] | None:
    """Position in the group's queue and the estimated wait, or None when not queued there."""
    position = await ctx.stores.conversations.queue_position(conversation_id, group)
    if position is None:
        return None
    return position, wait_at(ctx, position, await group_capacity(ctx, group))


def status_meta(event: str, group: str, position: int, estimate: WaitEstimate) -> dict[str, object]:
    return {
        "event": event,
        "kind": "queue_status",
        "group": group,
        "position": position,
        "estimated_wait_seconds": estimate.seconds,
        "estimated_wait_range": [estimate.low_seconds, estimate.high_seconds] if estimate.seconds else None,
        "estimated_wait_kind": estimate.kind.value,
        "estimated_wait_text": describe(estimate),
    }


async def announce_queued(
    ctx: AppContext, conversation_id: str, group: str, *, position: int, estimate: WaitEstimate
) -> None:
    await ctx.stores.messages.append(
        conversation_id,
        MessageRole.SYSTEM,
        f"正在为您转接人工客服（{ctx.directory.routing.groups[group].label}），当前排队第 {position} 位，"
        f"{describe(estimate)}。",
        meta=status_meta("queued", group, position, estimate),
    )


async def push_queue_updates(ctx: AppContext, group: str) -> None:
    """Tell the first waiting customers of a group their new figures after the queue moved; one that left
    the queue meanwhile (an agent took it) is told nothing more."""
    ids = await ctx.stores.conversations.queued_ids(group, ctx.directory.routing.queue_status_push_limit)
    if not ids:
        return
    capacity = await group_capacity(ctx, group)
    updates = []
    for position, conversation_id in enumerate(ids, start=1):
        estimate = wait_at(ctx, position, capacity)
        text = f"您当前排队第 {position} 位，{describe(estimate)}。"
        updates.append((conversation_id, text, status_meta("queue_update", group, position, estimate)))
    await ctx.stores.messages.append_while_queued(group, updates)
