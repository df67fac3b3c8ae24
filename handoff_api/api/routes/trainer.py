"""The trainer's inbox of misunderstood messages (trainer and supervisor roles)."""

from typing import Annotated

from fastapi import APIRouter, Path, Query

from handoff_api.api.deps import ContextDep, CurrentTrainer, SessionDep
from handoff_api.domain.nlu_inbox import InboxReason
from handoff_api.schemas import (
    BulkLabelIn,
    InboxPage,
    IntentName,
    LabelIn,
    LabelResult,
    MessageList,
    RangeMoment,
)
from handoff_api.services import trainer
from handoff_api.sql.readings import InboxFilter

router = APIRouter(prefix="/api/trainer", tags=["trainer"])


@router.get("/inbox")
def inbox(
    ctx: ContextDep,
    session: SessionDep,
    _trainer: CurrentTrainer,
    reason: InboxReason | None = None,
    intent: IntentName | None = None,
    since: RangeMoment | None = None,
    until: RangeMoment | None = None,
    limit: Annotated[int, Query(ge=1, le=10_000)] = 50,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> InboxPage:
    where = InboxFilter(reason=reason, intent=intent, since=since, until=until)
    return trainer.inbox(
        session, where=where, limit=min(limit, ctx.settings.NLU_INBOX_PAGE_LIMIT), offset=offset
    )


@router.post("/inbox/{item_id}/label")
def label(
    item_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: LabelIn,
    session: SessionDep,
    agent: CurrentTrainer,
) -> LabelResult:
    return trainer.label(session, agent, body, [item_id])


@router.post("/inbox/bulk-label")
def bulk_label(body: BulkLabelIn, session: SessionDep, agent: CurrentTrainer) -> LabelResult:
    return trainer.label(session, agent, body, body.ids)


@router.get("/conversations/{conversation_id}")
async def transcript(conversation_id: str, ctx: ContextDep, _trainer: CurrentTrainer) -> MessageList:
    return MessageList(messages=await trainer.transcript(ctx, conversation_id))
