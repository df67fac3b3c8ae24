"""Endpoints for the action server, authenticated by the shared service token."""

from fastapi import APIRouter, Response, status

from handoff_api.api.deps import ContextDep, ServiceAuth
from handoff_api.handoffs import request_handoff
from handoff_api.schemas import HandoffRequest, HandoffResult
from handoff_api.states import HandoffStatus

router = APIRouter(prefix="/api/internal", tags=["internal"], dependencies=[ServiceAuth])


@router.post("/handoffs", status_code=status.HTTP_201_CREATED)
async def create_handoff(body: HandoffRequest, ctx: ContextDep, response: Response) -> HandoffResult:
    result = await request_handoff(ctx, body)
    if result.status is HandoffStatus.NO_AGENT:
        response.status_code = status.HTTP_200_OK
    return result
