"""The agent console API: presence, queue, own conversations, claim, reply, transfer, close, assist."""

from fastapi import APIRouter, status

from handoff_api.api.deps import ContextDep, CurrentAgent
from handoff_api.schemas import (
    AgentConversationView,
    AgentMessageIn,
    AgentPublic,
    AssistView,
    CloseIn,
    ConversationSummary,
    MessagePublic,
    MisreadIn,
    PresenceIn,
    TransferIn,
)
from handoff_api.services import agent_views, assist, handoffs

router = APIRouter(prefix="/api/agent", tags=["agent"])


@router.get("/me")
async def me(ctx: ContextDep, agent: CurrentAgent) -> AgentPublic:
    return await agent_views.profile(ctx, agent)


@router.put("/presence")
async def presence(body: PresenceIn, ctx: ContextDep, agent: CurrentAgent) -> PresenceIn:
    await handoffs.set_presence(ctx, agent, body.status)
    return body


@router.get("/queue")
async def queue(ctx: ContextDep, agent: CurrentAgent) -> list[ConversationSummary]:
    return await agent_views.queue_for(ctx, agent)


@router.get("/conversations")
async def my_conversations(ctx: ContextDep, agent: CurrentAgent) -> list[ConversationSummary]:
    return await agent_views.conversations_of(ctx, agent)


@router.get("/conversations/{conversation_id}")
async def conversation(conversation_id: str, ctx: ContextDep, agent: CurrentAgent) -> AgentConversationView:
    return await agent_views.conversation_view(ctx, agent, conversation_id)


@router.post("/conversations/{conversation_id}/claim")
async def claim(conversation_id: str, ctx: ContextDep, agent: CurrentAgent) -> AgentConversationView:
    await handoffs.claim(ctx, agent, conversation_id)
    return await agent_views.conversation_view(ctx, agent, conversation_id)


@router.post("/conversations/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
async def reply(
    conversation_id: str, body: AgentMessageIn, ctx: ContextDep, agent: CurrentAgent
) -> MessagePublic:
    return await handoffs.send_agent_message(ctx, agent, conversation_id, body.text)


@router.post("/conversations/{conversation_id}/close")
async def close(conversation_id: str, body: CloseIn, ctx: ContextDep, agent: CurrentAgent) -> dict[str, str]:
    await handoffs.close(ctx, agent, conversation_id, wrap_up=body.wrap_up)
    return {"status": "closed"}


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(
    conversation_id: str, body: TransferIn, ctx: ContextDep, agent: CurrentAgent
) -> dict[str, str]:
    await handoffs.transfer(ctx, agent, conversation_id, body)
    return {"status": "transferred"}


@router.get("/conversations/{conversation_id}/assist")
async def assist_view(conversation_id: str, ctx: ContextDep, agent: CurrentAgent) -> AssistView:
    return await assist.assist_view(ctx, agent, conversation_id)


@router.post("/conversations/{conversation_id}/messages/{message_id}/misread")
async def misread(
    conversation_id: str, message_id: str, body: MisreadIn, ctx: ContextDep, agent: CurrentAgent
) -> dict[str, str]:
    await assist.flag_misread(ctx, agent, conversation_id, message_id, body.intent)
    return {"status": "flagged"}
