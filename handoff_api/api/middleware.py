"""Pure ASGI middleware: the request body limit, and the conversation id for log lines."""

import re

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from handoff_api.api.errors import status_and_detail
from handoff_api.core.log_config import conversation_id_var
from handoff_api.domain.exceptions import BodyTooLarge

_CONVERSATION_PATH = re.compile(r"/conversations/([^/]+)")


class BodySizeLimit:
    """Refuse bodies over the limit before any of it is parsed, with or without a Content-Length."""

    def __init__(self, app: ASGIApp, *, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length", b"")
        if declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        # Buffer the body (FastAPI reads it whole anyway) so a chunked upload is counted too.
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                break
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.max_bytes:
                await self._refuse(scope, receive, send)
                return
            more = message.get("more_body", False)
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": b"".join(chunks), "more_body": False}

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        status, detail = status_and_detail(BodyTooLarge())
        await JSONResponse({"detail": detail}, status_code=status)(scope, receive, send)


class ConversationLogContext:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        match = _CONVERSATION_PATH.search(scope["path"])
        token = conversation_id_var.set(match.group(1) if match else None)
        try:
            await self.app(scope, receive, send)
        finally:
            conversation_id_var.reset(token)
