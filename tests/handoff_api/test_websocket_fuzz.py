"""Hostile frames on a conversation socket, before and after authenticating, as customer and as agent: each
gets an error frame or a clean close code, the socket never dies of an exception, and nothing is logged with
a traceback or at ERROR."""

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from tests.conversation_socket import authenticate, socket_url
from tests.handoff_api.conftest import Customer, login

# Close codes a refused frame may end with: no token (4401), bad cursor (4422), larger than the server
# reads at all (1009, uvicorn's ws_max_size).
CLEAN_CLOSES = {4401, 4403, 4422, 1009}
_HOSTILE_FRAMES: list[str | bytes] = [
    b"",
    b"\xff\xfe\x00binary",
    "",
    "null",
    "42",
    '"auth"',
    "[]",
    "{" * 3000,
    "[" * 8000 + "]" * 8000,
    '{"a":' * 4000 + "1" + "}" * 4000,
    "x" * 100_000,
    "x" * (17 * 2**20),  # over uvicorn's 16 MiB frame limit
    json.dumps({"type": "auth", "token": None}),
    json.dumps({"type": "auth", "token": ["a"], "last_id": {"x": 1}}),
    json.dumps({"type": "auth", "token": "t\u0000k\u202e"}),
    json.dumps({"type": "message", "text": 1e400}),
    '{"type": "message", "text": "a", "payload": "/x' + "}" * 600 + '"}',
    json.dumps({"type": "message", "text": "\ud800"}).replace("\\ud800", "\\udfff\\ud800"),
    json.dumps({"type": "message", "text": ["你好", [[[[[]]]]]]}),
    json.dumps({"type": "message", "text": {"text": "你好"}}),
    "1" * 10_000,
]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def logged() -> Iterator[list[logging.LogRecord]]:
    """Every record of the app and of uvicorn (whose loggers do not propagate to the root)."""
    handler = _Collect()
    targets = [logging.getLogger(), logging.getLogger("uvicorn"), logging.getLogger("uvicorn.error")]
    for target in targets:
        target.addHandler(handler)
    yield handler.records
    for target in targets:
        target.removeHandler(handler)


@pytest.fixture
async def http(server: str) -> Iterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=f"http://{server}") as client:
        yield client


async def _outcome(socket: ClientConnection, frame: str | bytes) -> str:
    """ "error" for an error frame, "closed" for a clean close; anything else fails the test."""
    await socket.send(frame)
    try:
        reply = json.loads(await socket.recv())
    except websockets.ConnectionClosed as closed:
        assert closed.rcvd is not None and closed.rcvd.code in CLEAN_CLOSES, (frame[:80], closed)
        return "closed"
    assert reply["type"] == "error" and reply["detail"], reply
    return "error"


async def _fuzz(server: str, conversation_id: str, token: str) -> None:
    url = socket_url(f"ws://{server}", conversation_id)
    for frame in _HOSTILE_FRAMES:
        async with websockets.connect(url, max_size=None) as socket:  # before authenticating: closed
            assert await _outcome(socket, frame) == "closed", frame[:80]
    async with websockets.connect(url, max_size=None) as socket:  # after: an error frame, or 1009
        await authenticate(socket, token)
        for frame in _HOSTILE_FRAMES:
            if await _outcome(socket, frame) == "closed":
                socket = await websockets.connect(url, max_size=None)
                await authenticate(socket, token)
        await socket.close()


async def test_hostile_frames_get_an_error_frame_or_a_clean_close_and_no_traceback(
    server: str, http: httpx.AsyncClient, logged: list[logging.LogRecord]
) -> None:
    customer = await Customer.start(http, "C1001")
    await _fuzz(server, customer.conversation_id, customer.token)
    agent = await login(http, "supervisor")  # supervisors may watch any conversation
    await _fuzz(server, customer.conversation_id, agent["Authorization"].removeprefix("Bearer "))
    bad = [r for r in logged if r.exc_info or r.levelno >= logging.ERROR]
    assert bad == [], [record.getMessage() for record in bad]
    # The server still serves the conversation.
    assert (await customer.send("还在吗"))["messages"][0]["text"] == "还在吗"
