"""What a waiting customer is told: their position and estimated wait, pushed as system messages."""

from handoff_api.domain.states import MessageRole
from handoff_api.domain.wait_estimate import estimate_wait_seconds, seconds_per_assignment
from handoff_api.services.context import AppContext


def group_pace(ctx: AppContext, *, observed: float | None, online_in_group: int) -> float:
    """Seconds per assignment in a group: observed, or before any assignment, guessed from who is online."""
    return seconds_per_assignment(
        observed=observed,
        online_agents=online_in_group,
        default_assign_seconds=ctx.directory.routing.average_assign_seconds,
    )


async def _read_group_pace(ctx: AppContext, group: str) -> float:
    observed = await ctx.stores.stats.assign_interval(group)
    return group_pace(
        ctx, observed=observed, online_in_group=await ctx.stores.presence.online_in_group(group)
    )


async def queue_figures(ctx: AppContext, conversation_id: str, group: str) -> tuple[int | None, int | None]:
    """Position in the group's queue and estimated wait, or (None, None) when not queued there."""
    position = await ctx.stores.conversations.queue_position(conversation_id, group)
    if position is None:
        return None, None
    pace = await _read_group_pace(ctx, group)
    return position, estimate_wait_seconds(position=position, seconds_per_assignment=pace)


def _status_meta(event: str, group: str, position: int, estimate: int) -> dict[str, object]:
    return {
        "event": event,
        "kind": "queue_status",
        "group": group,
        "position": position,
        "estimated_wait_seconds": estimate,
    }


async def announce_queued(
    ctx: AppContext, conversation_id: str, group: str, *, position: int, estimate: int
) -> None:
    await ctx.stores.messages.append(
        conversation_id,
        MessageRole.SYSTEM,
        f"正在为您转接人工客服（{ctx.directory.routing.groups[group].label}），当前排队第 {position} 位，"
        f"预计等待约 {estimate} 秒。",
        meta=_status_meta("queued", group, position, estimate),
    )


async def push_queue_updates(ctx: AppContext, group: str) -> None:
    """Tell the first waiting customers of a group their new figures after the queue moved."""
    ids = await ctx.stores.conversations.queued_ids(group, ctx.directory.routing.queue_status_push_limit)
    if not ids:
        return
    pace = await _read_group_pace(ctx, group)
    updates = []
    for position, conversation_id in enumerate(ids, start=1):
        estimate = estimate_wait_seconds(position=position, seconds_per_assignment=pace)
        text = f"您当前排队第 {position} 位，预计等待约 {estimate} 秒。"
        updates.append((conversation_id, text, _status_meta("queue_update", group, position, estimate)))
    await ctx.stores.messages.append_system_notes(updates)
