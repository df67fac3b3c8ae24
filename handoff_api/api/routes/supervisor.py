"""The supervisor's live view of queues and seats."""

from fastapi import APIRouter

from handoff_api.api.deps import ContextDep, CurrentSupervisor
from handoff_api.schemas import SupervisorOverview
from handoff_api.services import supervisor_views

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])


@router.get("/overview")
async def overview(ctx: ContextDep, _supervisor: CurrentSupervisor) -> SupervisorOverview:
    return await supervisor_views.overview(ctx)
