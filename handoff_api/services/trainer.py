"""The trainer's inbox: misunderstood messages grouped by pattern, labelled once per group."""

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from contract.pii import mask_pii
from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import InboxItemNotFound
from handoff_api.domain.states import MessageRole
from handoff_api.schemas import (
    BulkLabelIn,
    InboxItem,
    InboxPage,
    LabelIn,
    LabelResult,
    MessagePublic,
)
from handoff_api.services.context import AppContext
from handoff_api.sql import readings as sql


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of this week: what "labelled this week" counts from."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight - timedelta(days=midnight.weekday())


def inbox(session: Session, *, where: sql.InboxFilter, limit: int, offset: int) -> InboxPage:
    items = sql.inbox_groups(session, where=where, limit=limit, offset=offset)
    waiting, groups = sql.inbox_size(session, where=where)
    return InboxPage(
        items=[InboxItem.model_validate(item) for item in items],
        waiting=waiting,
        groups=groups,
        labelled_this_week=sql.count_labelled_since(session, since=week_start(datetime.now(UTC))),
    )


def label(session: Session, trainer: Agent, body: LabelIn | BulkLabelIn, ids: list[int]) -> LabelResult:
    """Label or discard the groups of these items; 404 when none of them is waiting any more."""
    changed = sql.label_groups(
        session,
        ids=ids,
        label=None if body.discard else body.intent,
        note=body.note,
        by=trainer.username,
        at=datetime.now(UTC),
    )
    if changed == 0:
        raise InboxItemNotFound
    return LabelResult(labelled=changed)


async def transcript(ctx: AppContext, conversation_id: str) -> list[MessagePublic]:
    """The conversation as far as Redis still keeps it, masked: a trainer needs the words, not the numbers."""
    messages = await ctx.stores.messages.read_after(conversation_id)
    return [
        message.model_copy(update={"text": mask_pii(message.text)})
        for message in messages
        if message.role is not MessageRole.SYSTEM
    ]
