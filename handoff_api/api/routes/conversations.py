"""Customer side of a conversation: status, messages over HTTP, and the WebSocket shared with agents."""

import json
from dataclasses import dataclass
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query, WebSocket, WebSocketDisconnect, status
from pydantic import BaseModel, ValidationError

from handoff_api.api.deps import ContextDep, CustomerConversation
from handoff_api.api.errors import status_and_detail
from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import HandoffError, WrongConversation
from handoff_api.domain.states import TokenKind
from handoff_api.schemas import (
    ConversationStatus,
    CustomerMessageIn,
    MessageList,
    MessageText,
    RasaPayload,
    SentMessage,
)
from handoff_api.services import agent_views, gateway, handoffs
from handoff_api.services.auth import agent_of, authenticate, customer_of
from handoff_api.services.context import AppContext
from handoff_api.store.messages import START, check_cursor

router = APIRouter(prefix="/api/conversations", tags=["conversations"])

# XREAD blocks this long per round, so a socket notices its own cancellation promptly; it must stay well
# under the Redis socket timeout (redis_client.SOCKET_TIMEOUT_SECONDS).
_PUSH_BLOCK_MS = 2000


@router.get("/{conversation_id}")
async def get_status(ctx: ContextDep, conversation: CustomerConversation) -> ConversationStatus:
    return await handoffs.conversation_status(ctx, conversation)


@router.post("/{conversation_id}/cancel")
async def cancel_handoff(ctx: ContextDep, conversation: CustomerConversation) -> ConversationStatus:
    """The customer leaves the queue; the bot takes the conversation back."""
    await handoffs.cancel(ctx, conversation)
    return await handoffs.conversation_status(ctx, await ctx.stores.conversations.get(conversation.id))


@router.get("/{conversation_id}/messages")
async def list_messages(
    ctx: ContextDep, conversation: CustomerConversation, last_id: Annotated[str, Query(max_length=45)] = START
) -> MessageList:
    return MessageList(messages=await ctx.stores.messages.read_after(conversation.id, last_id))


@router.post("/{conversation_id}/messages", status_code=status.HTTP_201_CREATED)
async def send_message(
    ctx: ContextDep, conversation: CustomerConversation, body: CustomerMessageIn
) -> SentMessage:
    """The stored message and, when the bot answers within BOT_REPLY_WAIT_SECONDS, its replies; otherwise
    `bot_reply_pending` is true and the replies arrive on the conversation's stream."""
    await ctx.stores.rate_limiter.check(conversation.id, conversation.customer_id)
    sent = await gateway.accept_customer_message(ctx, conversation, body, wait_for_bot=True)
    if sent.replies is None:
        return SentMessage(messages=sent.stored, bot_reply_pending=sent.for_bot)
    answer = await gateway.wait_for_replies(ctx, conversation.id, sent.stored[0].id, sent.replies)
    return SentMessage(messages=sent.stored + answer.messages, bot_reply_pending=not answer.bot_answered)


@dataclass(frozen=True)
class _Viewer:
    """Who is on the socket: the conversation's customer, or an agent (who sees PII masked)."""

    conversation_id: str
    agent: Agent | None
    token: str  # authenticated again for every frame and before every push (logout, expiry)


class _SocketMessage(BaseModel):
    type: Literal["message"]
    text: MessageText
    payload: RasaPayload | None = None


async def _authenticate(ctx: AppContext, conversation_id: str, token: str) -> _Viewer:
    conversation = await ctx.stores.conversations.get(conversation_id)
    principal = await authenticate(ctx, token)
    if principal.kind is TokenKind.AGENT:
        agent = agent_of(ctx, principal)
        agent_views.ensure_can_read(agent, conversation)
        return _Viewer(conversation_id, agent, token)
    if customer_of(principal, conversation_id) != conversation.customer_id:
        raise WrongConversation
    return _Viewer(conversation_id, None, token)


async def _close(websocket: WebSocket, error: HandoffError) -> None:
    code, detail = status_and_detail(error)
    # 4000 + HTTP status, so clients can tell "log in again" (4401) from "not yours" (4403).
    await websocket.close(code=4000 + code, reason=detail)


async def _still_authenticated(websocket: WebSocket, ctx: AppContext, viewer: _Viewer) -> bool:
    """The socket's token checked again (logout revokes it, it may have expired); closes the socket if not."""
    try:
        await authenticate(ctx, viewer.token)
    except HandoffError as exc:
        await _close(websocket, exc)
        return False
    return True


async def _push(websocket: WebSocket, ctx: AppContext, viewer: _Viewer, last_id: str) -> None:
    cursor = last_id
    while True:
        batch = await ctx.stores.messages.wait_after(viewer.conversation_id, cursor, _PUSH_BLOCK_MS)
        if batch and not await _still_authenticated(websocket, ctx, viewer):
            return
        for message in batch:
            shown = agent_views.masked(message) if viewer.agent else message
            await websocket.send_json({"type": "message", **shown.model_dump(mode="json")})
            cursor = message.id


async def _handle(ctx: AppContext, viewer: _Viewer, raw: str) -> None:
    """Act on one frame from the client; its result reaches every viewer through the stream."""
    incoming = _SocketMessage.model_validate(json.loads(raw))
    if viewer.agent is not None:
        await handoffs.send_agent_message(ctx, viewer.agent, viewer.conversation_id, incoming.text)
        return
    conversation = await ctx.stores.conversations.get(viewer.conversation_id)
    await ctx.stores.rate_limiter.check(conversation.id, conversation.customer_id)
    body = CustomerMessageIn(text=incoming.text, payload=incoming.payload)
    # The replies reach this socket through the stream, like every viewer's.
    await gateway.accept_customer_message(ctx, conversation, body, wait_for_bot=False)


async def _receive(websocket: WebSocket, ctx: AppContext, viewer: _Viewer) -> None:
    while True:
        try:
            raw = await websocket.receive_text()
        except WebSocketDisconnect:
            return
        if not await _still_authenticated(websocket, ctx, viewer):
            return
        try:
            await _handle(ctx, viewer, raw)
        except ValueError as exc:  # invalid JSON, or a ValidationError of the frame
            detail = "invalid JSON" if not isinstance(exc, ValidationError) else exc.errors()[0]["msg"]
            await websocket.send_json({"type": "error", "detail": detail})
        except HandoffError as exc:
            await websocket.send_json({"type": "error", "detail": status_and_detail(exc)[1]})


@router.websocket("/{conversation_id}/ws")
async def conversation_socket(
    websocket: WebSocket, conversation_id: str, ctx: ContextDep, token: str = "", last_id: str = START
) -> None:
    await websocket.accept()
    try:
        viewer = await _authenticate(ctx, conversation_id, token)
        check_cursor(last_id)
    except HandoffError as exc:
        await _close(websocket, exc)
        return
    async with anyio.create_task_group() as tasks:
        tasks.start_soon(_push, websocket, ctx, viewer, last_id)
        await _receive(websocket, ctx, viewer)
        tasks.cancel_scope.cancel()
