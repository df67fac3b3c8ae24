"""Endpoints for the action server, authenticated by the shared service token."""

from fastapi import APIRouter, Response, status

from contract.names import HandoffStatus
from handoff_api.api.deps import ContextDep, ServiceAuth
from handoff_api.schemas import HandoffRequest, HandoffResult
from handoff_api.services.handoffs import request_handoff

router = APIRouter(prefix="/api/internal", tags=["internal"], dependencies=[ServiceAuth])


@router.post("/handoffs", status_code=status.HTTP_201_CREATED)
async def create_handoff(body: HandoffRequest, ctx: ContextDep, response: Response) -> HandoffResult:
    result = await request_handoff(ctx, body)
    if result.status is HandoffStatus.NO_AGENT:
        response.status_code = status.HTTP_200_OK
    return result
