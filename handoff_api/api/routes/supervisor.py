"""The supervisor's live view of queues and seats."""

from fastapi import APIRouter

from handoff_api import supervisor_views
from handoff_api.api.deps import ContextDep, CurrentSupervisor
from handoff_api.schemas import SupervisorOverview

router = APIRouter(prefix="/api/supervisor", tags=["supervisor"])


@router.get("/overview")
async def overview(ctx: ContextDep, _supervisor: CurrentSupervisor) -> SupervisorOverview:
    return await supervisor_views.overview(ctx)
