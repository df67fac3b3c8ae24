"""Customer side of a conversation: status, messages over HTTP, and the WebSocket shared with agents."""

import json
import logging
from dataclasses import dataclass
from typing import Annotated, Literal

import anyio
from fastapi import APIRouter, Query, WebSocket, status
from pydantic import BaseModel, StringConstraints, ValidationError
from redis.exceptions import RedisError

from handoff_api.api.deps import ContextDep, CustomerConversation
from handoff_api.api.errors import status_and_detail
from handoff_api.domain.agents import Agent
from handoff_api.domain.exceptions import AuthFrameExpected, HandoffError, WrongConversation
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

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/conversations", tags=["conversations"])
_UNAVAILABLE = "service temporarily unavailable"

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
    """Who is on the socket: the conversation's customer, or an agent (who sees PII masked). The token is kept
    to authorise the viewer again before every delivery."""

    conversation_id: str
    token: str
    agent: Agent | None


class _SocketMessage(BaseModel):
    type: Literal["message"]
    text: MessageText
    payload: RasaPayload | None = None


class _AuthFrame(BaseModel):
    """The socket's first frame: the token travels here, never in the URL (URLs end up in logs)."""

    type: Literal["auth"]
    # Printable ASCII whatever the token format: anything else cannot be a token, and is refused as such.
    token: Annotated[str, StringConstraints(pattern=r"^[\x21-\x7e]+$", max_length=4096)]
    last_id: Annotated[str, StringConstraints(max_length=45)] = START


class _FrameRefused(Exception):
    """A frame the socket cannot read (binary, too large, not JSON, too deep): an error frame answers it."""


async def _authenticate(ctx: AppContext, conversation_id: str, token: str) -> _Viewer:
    """Who the token speaks for, if they may see the conversation now; run again before every delivery."""
    conversation = await ctx.stores.conversations.get(conversation_id)
    principal = await authenticate(ctx, token)
    if principal.kind is TokenKind.AGENT:
        agent = agent_of(ctx, principal)
        agent_views.ensure_can_read(agent, conversation)
        return _Viewer(conversation_id, token, agent)
    if customer_of(principal, conversation_id) != conversation.customer_id:
        raise WrongConversation
    return _Viewer(conversation_id, token, None)


async def _read_text(websocket: WebSocket, max_chars: int) -> str | None:
    """The next text frame; None when the client has gone."""
    message = await websocket.receive()
    if message["type"] == "websocket.disconnect":
        return None
    text = message.get("text")
    if text is None:
        raise _FrameRefused("text frames only")
    if len(text) > max_chars:
        raise _FrameRefused("frame too large")
    return text


def _parse(raw: str) -> object:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError) as exc:  # RecursionError: nested deeper than the parser goes
        raise _FrameRefused("invalid JSON") from exc


async def _close(websocket: WebSocket, error: HandoffError) -> None:
    code, detail = status_and_detail(error)
    # 4000 + HTTP status, so clients can tell "log in again" (4401) from "not yours" (4403).
    await websocket.close(code=4000 + code, reason=detail)


async def _push(websocket: WebSocket, ctx: AppContext, viewer: _Viewer, last_id: str) -> None:
    cursor = last_id
    try:
        while True:
            batch = await ctx.stores.messages.wait_after(viewer.conversation_id, cursor, _PUSH_BLOCK_MS)
            # Rights change while the socket is open (a transfer, a close, an expired or revoked token):
            # checked after each wait, so nothing is delivered past the moment they were lost.
            await _authenticate(ctx, viewer.conversation_id, viewer.token)
            for message in batch:
                shown = agent_views.masked(message) if viewer.agent else message
                await websocket.send_json({"type": "message", **shown.model_dump(mode="json")})
                cursor = message.id
    except HandoffError as exc:
        await _close(websocket, exc)
    except RedisError:
        logger.warning("socket closed: storage unavailable")
        await websocket.close(code=status.WS_1011_INTERNAL_ERROR, reason=_UNAVAILABLE)


async def _handle(ctx: AppContext, viewer: _Viewer, raw: str) -> None:
    """Act on one frame from the client; its result reaches every viewer through the stream."""
    incoming = _SocketMessage.model_validate(_parse(raw))
    await _authenticate(ctx, viewer.conversation_id, viewer.token)  # rights may be gone since the last frame
    if viewer.agent is not None:
        await handoffs.send_agent_message(ctx, viewer.agent, viewer.conversation_id, incoming.text)
        return
    conversation = await ctx.stores.conversations.get(viewer.conversation_id)
    await ctx.stores.rate_limiter.check(conversation.id, conversation.customer_id)
    body = CustomerMessageIn(text=incoming.text, payload=incoming.payload)
    # The replies reach this socket through the stream, like every viewer's.
    await gateway.accept_customer_message(ctx, conversation, body, wait_for_bot=False)


def _error_detail(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return exc.errors()[0]["msg"]
    if isinstance(exc, HandoffError):
        return status_and_detail(exc)[1]
    if isinstance(exc, RedisError):
        return _UNAVAILABLE
    return str(exc)  # _FrameRefused


async def _receive(websocket: WebSocket, ctx: AppContext, viewer: _Viewer) -> None:
    while True:
        try:
            raw = await _read_text(websocket, ctx.settings.WS_MAX_FRAME_CHARS)
            if raw is None:
                return
            await _handle(ctx, viewer, raw)
        except (_FrameRefused, ValidationError, HandoffError, RedisError) as exc:
            await websocket.send_json({"type": "error", "detail": _error_detail(exc)})


async def _sign_in(websocket: WebSocket, ctx: AppContext, conversation_id: str) -> tuple[_Viewer, str] | None:
    """The viewer and resume cursor of the auth frame, or None (the socket closed) without a valid one."""
    try:
        with anyio.fail_after(ctx.settings.WS_AUTH_TIMEOUT_SECONDS):
            raw = await _read_text(websocket, ctx.settings.WS_MAX_FRAME_CHARS)
        if raw is None:
            return None
        frame = _AuthFrame.model_validate(_parse(raw))
        viewer = await _authenticate(ctx, conversation_id, frame.token)
        return viewer, check_cursor(frame.last_id)
    except (TimeoutError, _FrameRefused, ValidationError):
        await _close(websocket, AuthFrameExpected())
    except HandoffError as exc:
        await _close(websocket, exc)
    return None


@router.websocket("/{conversation_id}/ws")
async def conversation_socket(websocket: WebSocket, conversation_id: str, ctx: ContextDep) -> None:
    await websocket.accept()
    signed_in = await _sign_in(websocket, ctx, conversation_id)
    if signed_in is None:
        return
    viewer, last_id = signed_in
    await websocket.send_json({"type": "ready"})
    async with anyio.create_task_group() as tasks:

        async def push() -> None:
            await _push(websocket, ctx, viewer, last_id)
            tasks.cancel_scope.cancel()  # the push closed the socket: stop reading it

        tasks.start_soon(push)
        await _receive(websocket, ctx, viewer)
        tasks.cancel_scope.cancel()
