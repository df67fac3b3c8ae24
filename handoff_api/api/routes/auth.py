from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from handoff_api.api.deps import ContextDep
from handoff_api.core.security import verify_password
from handoff_api.domain.exceptions import InvalidCredentials
from handoff_api.domain.states import PresenceStatus
from handoff_api.schemas import LoginIn, LoginResult
from handoff_api.services import agent_views
from handoff_api.services.auth import issue_agent_token
from handoff_api.services.handoffs import set_presence

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
async def login(body: LoginIn, ctx: ContextDep) -> LoginResult:
    agent = ctx.directory.agents.get(body.username)
    # scrypt is deliberately slow; keep it off the event loop.
    if agent is None or not await run_in_threadpool(verify_password, body.password, agent.password_hash):
        raise InvalidCredentials
    await set_presence(ctx, agent, PresenceStatus.ONLINE)
    return LoginResult(token=issue_agent_token(ctx, agent), agent=await agent_views.profile(ctx, agent))
