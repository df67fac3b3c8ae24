"""The conversation WebSocket against a real uvicorn server: push, resume from last_id, auth, bad frames."""

import json
from urllib.parse import quote

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from handoff_api.services.bot_turns import BOT_DELAYED_NOTICE
from tests.handoff_api.conftest import Customer, login


async def _receive(socket: ClientConnection, count: int) -> list[dict]:
    return [json.loads(await socket.recv()) for _ in range(count)]


def _url(server: str, customer: Customer, token: str, last_id: str = "0") -> str:
    return f"ws://{server}/api/conversations/{customer.conversation_id}/ws?token={token}&last_id={last_id}"


@pytest.fixture
async def http(server: str) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=f"http://{server}") as client:
        yield client


async def test_socket_replays_history_then_pushes_new_messages(server: str, http: httpx.AsyncClient) -> None:
    customer = await Customer.start(http, "C1001")
    await customer.say("第一条")
    async with websockets.connect(_url(server, customer, customer.token)) as socket:
        history = await _receive(socket, 2)
        assert [(m["type"], m["role"], m["text"]) for m in history] == [
            ("message", "customer", "第一条"),
            ("message", "system", BOT_DELAYED_NOTICE),
        ]
        await socket.send(json.dumps({"type": "message", "text": "第二条"}))
        pushed = await _receive(socket, 1)  # the bot is still down: the notice is not repeated
        assert [m["text"] for m in pushed] == ["第二条"]
    assert [m["id"] for m in history + pushed] == [m["id"] for m in await customer.messages()]


async def test_reconnect_with_last_id_resumes_without_loss_or_duplicates(
    server: str, http: httpx.AsyncClient
) -> None:
    customer = await Customer.start(http, "C1001")
    async with websockets.connect(_url(server, customer, customer.token)) as socket:
        await socket.send(json.dumps({"type": "message", "text": "断线前"}))
        seen = await _receive(socket, 2)
    # While disconnected, more messages arrive (over the HTTP fallback here).
    await customer.say("断线中")
    async with websockets.connect(_url(server, customer, customer.token, seen[-1]["id"])) as socket:
        seen += await _receive(socket, 1)
    stored = await customer.messages()
    assert [m["id"] for m in seen] == [m["id"] for m in stored]
    assert [m["text"] for m in seen if m["role"] == "customer"] == ["断线前", "断线中"]


@pytest.mark.parametrize(
    ("token", "code"),
    [("garbage", 4401), ("", 4401), (quote("令牌é"), 4401), (quote("eyJhbGciOiJIUzI1NiJ9.é.x"), 4401)],
)
async def test_bad_token_closes_the_socket(
    server: str, http: httpx.AsyncClient, token: str, code: int
) -> None:
    customer = await Customer.start(http, "C1001")
    async with websockets.connect(_url(server, customer, token)) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd.code == code


async def test_other_conversations_token_is_refused(server: str, http: httpx.AsyncClient) -> None:
    mine, theirs = await Customer.start(http, "C1001"), await Customer.start(http, "C1002")
    await theirs.say("私密内容")
    async with websockets.connect(_url(server, theirs, mine.token)) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd.code == 4403


async def test_bad_frames_get_an_error_and_the_socket_stays_open(
    server: str, http: httpx.AsyncClient
) -> None:
    customer = await Customer.start(http, "C1001")
    async with websockets.connect(_url(server, customer, customer.token)) as socket:
        for frame in ["{not json", json.dumps({"type": "message", "text": ""}), json.dumps({"type": "nope"})]:
            await socket.send(frame)
            reply = json.loads(await socket.recv())
            assert reply["type"] == "error" and reply["detail"]
        await socket.send(json.dumps({"type": "message", "text": "还在吗"}))
        assert json.loads(await socket.recv())["text"] == "还在吗"
    assert [m["text"] for m in await customer.messages()][0] == "还在吗"


async def test_assigned_agent_sees_masked_messages_and_replies_over_socket(
    server: str, http: httpx.AsyncClient
) -> None:
    agent = await login(http, "general_1")
    customer = await Customer.start(http, "C1001")
    assert (await customer.hand_off()).status_code == 201
    claim = await http.post(f"/api/agent/conversations/{customer.conversation_id}/claim", headers=agent)
    assert claim.status_code == 200
    await customer.say("我手机13800138001")
    agent_token = agent["Authorization"].removeprefix("Bearer ")
    async with websockets.connect(_url(server, customer, agent_token)) as socket:
        history = await _receive(socket, 3)  # queued notice, agent joined, the customer's message
        assert history[-1]["text"] == "我手机138****8001"
        await socket.send(json.dumps({"type": "message", "text": "您好"}))
        assert json.loads(await socket.recv())["role"] == "agent"
    assert (await customer.messages())[-1]["text"] == "您好"


async def test_logout_stops_the_agents_socket_before_the_next_push(
    server: str, http: httpx.AsyncClient
) -> None:
    agent = await login(http, "general_1")
    customer = await Customer.start(http, "C1001")
    assert (await customer.hand_off()).status_code == 201
    assert (
        await http.post(f"/api/agent/conversations/{customer.conversation_id}/claim", headers=agent)
    ).is_success
    agent_token = agent["Authorization"].removeprefix("Bearer ")
    async with websockets.connect(_url(server, customer, agent_token)) as socket:
        await _receive(socket, 2)  # queued notice, agent joined
        assert (await http.post("/api/auth/logout", headers=agent)).status_code == 204
        await customer.say("退出后的消息")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "token revoked")


async def test_unassigned_agent_is_refused(server: str, http: httpx.AsyncClient) -> None:
    agent = await login(http, "general_1")
    customer = await Customer.start(http, "C1001")
    token = agent["Authorization"].removeprefix("Bearer ")
    async with websockets.connect(_url(server, customer, token)) as socket:
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd.code == 4403
