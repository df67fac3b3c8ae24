"""Injected dependencies as Annotated aliases.

Those that do no blocking I/O are `async def`: FastAPI runs a plain `def` dependency in its thread pool, a
thread hop that cost more than the whole of a handoff request's own work.
"""

import hmac
from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.requests import HTTPConnection

from handoff_api.domain.agents import Agent
from handoff_api.domain.conversation import Conversation
from handoff_api.domain.exceptions import (
    InvalidServiceToken,
    InvalidToken,
    NotASupervisor,
    NotATrainer,
    WrongConversation,
)
from handoff_api.domain.states import AgentRole
from handoff_api.domain.ticket_access import TicketViewer
from handoff_api.services.auth import Principal, agent_of, authenticate, customer_of
from handoff_api.services.context import AppContext
from handoff_api.services.tickets import viewer_for


async def get_context(connection: HTTPConnection) -> AppContext:
    return connection.app.state.context


ContextDep = Annotated[AppContext, Depends(get_context)]


def get_db(ctx: ContextDep) -> Iterator[Session]:
    with Session(ctx.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(get_db)]

_bearer = HTTPBearer(auto_error=False)


async def bearer_token(credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]) -> str:
    if credentials is None:
        raise InvalidToken
    return credentials.credentials


TokenDep = Annotated[str, Depends(bearer_token)]


async def current_principal(ctx: ContextDep, token: TokenDep) -> Principal:
    return await authenticate(ctx, token)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]


async def customer_conversation(
    conversation_id: str, ctx: ContextDep, principal: CurrentPrincipal
) -> Conversation:
    customer_id = customer_of(principal, conversation_id)
    conversation = await ctx.stores.conversations.get(conversation_id)
    if conversation.customer_id != customer_id:
        raise WrongConversation
    return conversation


CustomerConversation = Annotated[Conversation, Depends(customer_conversation)]


async def current_agent(ctx: ContextDep, principal: CurrentPrincipal) -> Agent:
    agent = agent_of(ctx, principal)
    # Any call from the console keeps the agent online; the key expires when the console goes quiet.
    await ctx.stores.presence.touch(agent.username)
    return agent


CurrentAgent = Annotated[Agent, Depends(current_agent)]


async def current_supervisor(agent: CurrentAgent) -> Agent:
    if agent.role is not AgentRole.SUPERVISOR:
        raise NotASupervisor
    return agent


CurrentSupervisor = Annotated[Agent, Depends(current_supervisor)]


async def ticket_viewer(ctx: ContextDep, agent: CurrentAgent) -> TicketViewer:
    return await viewer_for(ctx, agent)


TicketViewerDep = Annotated[TicketViewer, Depends(ticket_viewer)]


async def current_trainer(agent: CurrentAgent) -> Agent:
    if agent.role not in (AgentRole.TRAINER, AgentRole.SUPERVISOR):
        raise NotATrainer
    return agent


CurrentTrainer = Annotated[Agent, Depends(current_trainer)]


# A security scheme rather than a Header parameter: it is documented as such in OpenAPI, and reads the header
# directly instead of through FastAPI's parameter validation on every internal call.
_service_token = APIKeyHeader(name="X-Service-Token", auto_error=False)


async def client_address(connection: HTTPConnection) -> str:
    """The caller's address, for per-address limits. Behind a proxy, uvicorn's --forwarded-allow-ips decides
    whether X-Forwarded-For is believed; nothing here reads it."""
    return connection.client.host if connection.client else "unknown"


ClientAddress = Annotated[str, Depends(client_address)]


async def check_service_token(ctx: ContextDep, token: Annotated[str | None, Depends(_service_token)]) -> None:
    if not hmac.compare_digest((token or "").encode(), ctx.settings.SERVICE_TOKEN.encode()):
        raise InvalidServiceToken


ServiceAuth = Depends(check_service_token)
