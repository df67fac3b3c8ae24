"""The Rasa client spreads turns by what is in flight, not by the conversation's hash alone.

Two HTTP servers on loopback stand in for two Rasa servers' gateway channel: each holds its requests until the
test lets them go, so the turns in flight are known when the next one is sent. (The multi-process integration
tests run the same client against real Rasa servers.)
"""

from __future__ import annotations

import asyncio
import json
import zlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import httpx
import pytest

from contract.identity import Identity, Turn, sign_identity
from handoff_api.clients.rasa import RasaClient

SECRET = "client-test-secret"


@dataclass
class HeldServer:
    """An HTTP server that answers every request with no replies, once `release` is set."""

    release: asyncio.Event = field(default_factory=asyncio.Event)
    conversations: list[str] = field(default_factory=list)
    url: str = ""

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        self.conversations.append(json.loads(await reader.readexactly(length))["conversation_id"])
        await self.release.wait()
        body = b'{"replies": []}'
        head = b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Type: application/json\r\n"
        writer.write(head + b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
        await writer.drain()
        writer.close()


@pytest.fixture
async def servers() -> AsyncIterator[list[HeldServer]]:
    held = [HeldServer(), HeldServer()]
    started = [await asyncio.start_server(server.handle, "127.0.0.1", 0) for server in held]
    for server, listener in zip(held, started, strict=True):
        server.url = f"http://127.0.0.1:{listener.sockets[0].getsockname()[1]}"
    yield held
    for server, listener in zip(held, started, strict=True):
        server.release.set()
        listener.close()


def _turn(conversation_id: str) -> Turn:
    identity = sign_identity(Identity(conversation_id, "c-1", "standard"), SECRET)
    return Turn(conversation_id, "m-1", "查一下账单", False, identity)


def _conversations_hashed_to_the_first_server(count: int) -> list[str]:
    ids = (f"conv-{n}" for n in range(10_000))
    return [cid for cid in ids if zlib.crc32(cid.encode()) % 2 == 0][:count]


async def test_turns_in_flight_are_spread_over_both_servers(servers: list[HeldServer]) -> None:
    async with httpx.AsyncClient() as http:
        client = RasaClient(
            http, urls=[s.url for s in servers], token="", gateway_secret=SECRET, turn_timeout_seconds=10
        )
        conversations = _conversations_hashed_to_the_first_server(4)
        turns = []
        for conversation_id in conversations:  # one at a time, so each sees the ones before it in flight
            turns.append(asyncio.create_task(client.send_turn(_turn(conversation_id))))
            while sum(len(s.conversations) for s in servers) < len(turns):
                await asyncio.sleep(0.01)
        # By hash all four would be on the first server; by what is in flight, two on each.
        assert [len(s.conversations) for s in servers] == [2, 2]
        for server in servers:
            server.release.set()
        answers = await asyncio.gather(*turns)
    assert [answer.replies for answer in answers] == [[], [], [], []]


async def test_with_nothing_in_flight_a_conversation_keeps_its_hashed_server(
    servers: list[HeldServer],
) -> None:
    for server in servers:
        server.release.set()
    async with httpx.AsyncClient() as http:
        client = RasaClient(
            http, urls=[s.url for s in servers], token="", gateway_secret=SECRET, turn_timeout_seconds=10
        )
        for conversation_id in _conversations_hashed_to_the_first_server(3):
            await client.send_turn(_turn(conversation_id))
    assert [len(s.conversations) for s in servers] == [3, 0]
