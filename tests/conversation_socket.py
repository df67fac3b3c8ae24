"""Opening a conversation socket as the pages do: the token in the first frame, then wait for "ready"."""

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import websockets
from websockets.asyncio.client import ClientConnection


def socket_url(base: str, conversation_id: str) -> str:
    """base: ws://host:port"""
    return f"{base}/api/conversations/{conversation_id}/ws"


async def authenticate(socket: ClientConnection, token: str, last_id: str = "0") -> None:
    await socket.send(json.dumps({"type": "auth", "token": token, "last_id": last_id}))
    ready = json.loads(await socket.recv())
    assert ready == {"type": "ready"}, ready


@asynccontextmanager
async def conversation_socket(
    base: str, conversation_id: str, token: str, last_id: str = "0"
) -> AsyncIterator[ClientConnection]:
    async with websockets.connect(socket_url(base, conversation_id)) as socket:
        await authenticate(socket, token, last_id)
        yield socket
