"""Rasa's requests to the action server go over one kept session (bot/endpoint_sessions.py)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field

import pytest
from rasa.utils.endpoints import EndpointConfig

from bot import rasa_speedups
from bot.endpoint_sessions import close_kept_sessions
from tests.bot.conftest import put_back_after


@dataclass
class CountingServer:
    """Answers every request with {"events": []}, keeping each connection open for the next (keep-alive)."""

    connections: int = 0
    bodies: list[object] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        while head := await reader.readuntil(b"\r\n\r\n"):
            length = next(
                int(line.split(b":")[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length")
            )
            self.bodies.append(json.loads(await reader.readexactly(length)))
            body = b'{"events": []}'
            writer.write(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 14\r\n\r\n" + body
            )
            await writer.drain()


@pytest.fixture(autouse=True)
def installed(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    put_back_after(monkeypatch)
    rasa_speedups.install()
    yield


@pytest.fixture
async def server() -> AsyncIterator[CountingServer]:
    counting = CountingServer()
    listener = await asyncio.start_server(counting.handle, "127.0.0.1", 0)
    counting.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}/webhook"
    yield counting
    listener.close()


async def test_requests_share_one_connection_and_send_the_same_json(server: CountingServer) -> None:
    endpoint = EndpointConfig(server.url, token="secret")
    body = {
        "next_action": "action_freeze_card",
        "tracker": {"latest_message": {"text": "冻结/挂失"}, "ts": 1.5},
    }

    answers = [await endpoint.request(json=body, method="post") for _ in range(3)]

    assert answers == [{"events": []}] * 3
    assert server.bodies == [body] * 3
    assert server.connections == 1
    await close_kept_sessions()


async def test_a_closed_session_is_replaced(server: CountingServer) -> None:
    endpoint = EndpointConfig(server.url)
    await endpoint.request(json={}, method="post")
    await close_kept_sessions()

    assert await endpoint.request(json={}, method="post") == {"events": []}
    assert server.connections == 2
    await close_kept_sessions()
