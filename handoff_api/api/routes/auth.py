from fastapi import APIRouter, status

from handoff_api.api.deps import ClientAddress, ContextDep, CurrentAgent, CurrentPrincipal
from handoff_api.domain.states import PresenceStatus
from handoff_api.schemas import LoginIn, LoginResult
from handoff_api.services import agent_views
from handoff_api.services.auth import issue_agent_token, revoke
from handoff_api.services.handoffs import set_presence
from handoff_api.services.login import log_in

router = APIRouter(prefix="/api/auth", tags=["auth"])


@router.post("/login")
async def login(body: LoginIn, ctx: ContextDep, address: ClientAddress) -> LoginResult:
    agent = await log_in(ctx, username=body.username, password=body.password, address=address)
    await set_presence(ctx, agent, PresenceStatus.ONLINE)
    return LoginResult(token=issue_agent_token(ctx, agent), agent=await agent_views.profile(ctx, agent))


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(ctx: ContextDep, agent: CurrentAgent, principal: CurrentPrincipal) -> None:
    """Revokes the token at once (every request and socket checks it) and takes the agent offline."""
    await revoke(ctx, principal)
    await set_presence(ctx, agent, PresenceStatus.OFFLINE)
