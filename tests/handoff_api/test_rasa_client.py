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

import aiohttp
import pytest

from contract.identity import Identity, Turn, sign_identity
from handoff_api.clients.rasa import RasaClient, RasaRefused, RasaUnavailable

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
    async with aiohttp.ClientSession() as http:
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
    async with aiohttp.ClientSession() as http:
        client = RasaClient(
            http, urls=[s.url for s in servers], token="", gateway_secret=SECRET, turn_timeout_seconds=10
        )
        for conversation_id in _conversations_hashed_to_the_first_server(3):
            await client.send_turn(_turn(conversation_id))
    assert [len(s.conversations) for s in servers] == [3, 0]


async def _answer_with(status: int, body: bytes) -> tuple[asyncio.Server, str]:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        head = f"HTTP/1.1 {status} X\r\nConnection: close\r\nContent-Length: {len(body)}\r\n\r\n".encode()
        writer.write(head + body)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}"


@pytest.mark.parametrize(
    ("status", "body", "outcome"),
    [
        (200, b'{"replies": [{"text": "ok"}]}', "answered"),
        (503, b"", "next server"),  # a server error: the turn moves on to the other server
        (400, b'{"detail": "bad"}', RasaRefused),  # the same request cannot succeed anywhere
        (200, b"<html>", RasaRefused),
    ],
)
async def test_what_a_server_answers_decides_where_the_turn_goes(status, body, outcome) -> None:
    first, first_url = await _answer_with(status, body)
    second, second_url = await _answer_with(200, b'{"replies": [{"text": "from the second"}]}')
    conversation_id = _conversations_hashed_to_the_first_server(1)[0]
    try:
        async with aiohttp.ClientSession() as http:
            client = RasaClient(
                http, urls=[first_url, second_url], token="", gateway_secret=SECRET, turn_timeout_seconds=10
            )
            if isinstance(outcome, type):
                with pytest.raises(outcome):
                    await client.send_turn(_turn(conversation_id))
                return
            answer = await client.send_turn(_turn(conversation_id))
            expected = "ok" if outcome == "answered" else "from the second"
            assert [reply.text for reply in answer.replies] == [expected]
            assert client.any_server_up()
    finally:
        first.close()
        second.close()


async def test_no_server_listening_is_unavailable_and_backs_off() -> None:
    listening, url = await _answer_with(200, b"{}")
    listening.close()
    await listening.wait_closed()  # nothing listens on the port now
    async with aiohttp.ClientSession() as http:
        client = RasaClient(http, urls=[url], token="", gateway_secret=SECRET, turn_timeout_seconds=10)
        with pytest.raises(RasaUnavailable):
            await client.send_turn(_turn("c-1"))
        assert not client.any_server_up()
