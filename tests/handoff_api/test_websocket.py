"""The conversation WebSocket against a real uvicorn server: push, resume from last_id, auth, bad frames."""

import json

import httpx
import pytest
import websockets
from websockets.asyncio.client import ClientConnection

from handoff_api.services.bot_turns import BOT_DELAYED_NOTICE
from tests.conversation_socket import conversation_socket, socket_url
from tests.handoff_api.conftest import Customer, login


async def _receive(socket: ClientConnection, count: int) -> list[dict]:
    return [json.loads(await socket.recv()) for _ in range(count)]


def _socket(server: str, customer: Customer, token: str, last_id: str = "0"):
    return conversation_socket(f"ws://{server}", customer.conversation_id, token, last_id)


async def _refused(server: str, customer: Customer, token: str) -> int:
    """The close code the server answers the auth frame with."""
    async with websockets.connect(socket_url(f"ws://{server}", customer.conversation_id)) as socket:
        await socket.send(json.dumps({"type": "auth", "token": token}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    return closed.value.rcvd.code


@pytest.fixture
async def http(server: str) -> httpx.AsyncClient:
    async with httpx.AsyncClient(base_url=f"http://{server}") as client:
        yield client


async def test_socket_replays_history_then_pushes_new_messages(server: str, http: httpx.AsyncClient) -> None:
    customer = await Customer.start(http, "C1001")
    await customer.say("第一条")
    async with _socket(server, customer, customer.token) as socket:
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
    async with _socket(server, customer, customer.token) as socket:
        await socket.send(json.dumps({"type": "message", "text": "断线前"}))
        seen = await _receive(socket, 2)
    # While disconnected, more messages arrive (over the HTTP fallback here).
    await customer.say("断线中")
    async with _socket(server, customer, customer.token, seen[-1]["id"]) as socket:
        seen += await _receive(socket, 1)
    stored = await customer.messages()
    assert [m["id"] for m in seen] == [m["id"] for m in stored]
    assert [m["text"] for m in seen if m["role"] == "customer"] == ["断线前", "断线中"]


@pytest.mark.parametrize("token", ["garbage", "", "令牌", "令牌é", "eyJhbGciOiJIUzI1NiJ9.é.x", "x" * 5000])
async def test_bad_token_closes_the_socket(server: str, http: httpx.AsyncClient, token: str) -> None:
    customer = await Customer.start(http, "C1001")
    assert await _refused(server, customer, token) == 4401


@pytest.mark.parametrize(
    "first_frame",
    [b"\x00binary", "{not json", "[" * 50_000, json.dumps({"type": "message", "text": "你好"}), "{}"],
)
async def test_a_socket_that_does_not_authenticate_first_is_closed(
    server: str, http: httpx.AsyncClient, first_frame: str | bytes
) -> None:
    customer = await Customer.start(http, "C1001")
    await customer.say("不该被看到")
    async with websockets.connect(socket_url(f"ws://{server}", customer.conversation_id)) as socket:
        await socket.send(first_frame)
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()  # the customer's message is never pushed
    assert closed.value.rcvd.code == 4401


async def test_a_token_in_the_url_is_not_accepted(server: str, http: httpx.AsyncClient) -> None:
    customer = await Customer.start(http, "C1001")
    url = f"{socket_url(f'ws://{server}', customer.conversation_id)}?token={customer.token}"
    async with websockets.connect(url) as socket:
        await socket.send(json.dumps({"type": "message", "text": "你好"}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd.code == 4401


@pytest.mark.parametrize(
    "last_id", ["99999999999999999999-0", "0-99999999999999999999", f"{2**64 - 1}-{2**64 - 1}", "abc"]
)
async def test_a_cursor_redis_cannot_hold_is_refused_as_bad_input(
    server: str, http: httpx.AsyncClient, last_id: str
) -> None:
    customer = await Customer.start(http, "C1001")
    listed = await http.get(
        f"/api/conversations/{customer.conversation_id}/messages",
        params={"last_id": last_id},
        headers=customer.headers,
    )
    assert listed.status_code == 422 and listed.json() == {"detail": "invalid last_id"}
    async with websockets.connect(socket_url(f"ws://{server}", customer.conversation_id)) as socket:
        await socket.send(json.dumps({"type": "auth", "token": customer.token, "last_id": last_id}))
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert closed.value.rcvd.code == 4422


async def test_the_largest_cursor_with_a_successor_is_accepted(server: str, http: httpx.AsyncClient) -> None:
    customer = await Customer.start(http, "C1001")
    largest = f"{2**64 - 1}-{2**64 - 2}"
    listed = await http.get(
        f"/api/conversations/{customer.conversation_id}/messages",
        params={"last_id": largest},
        headers=customer.headers,
    )
    assert listed.status_code == 200 and listed.json() == {"messages": []}


async def test_other_conversations_token_is_refused(server: str, http: httpx.AsyncClient) -> None:
    mine, theirs = await Customer.start(http, "C1001"), await Customer.start(http, "C1002")
    await theirs.say("私密内容")
    assert await _refused(server, theirs, mine.token) == 4403


async def test_bad_frames_get_an_error_and_the_socket_stays_open(
    server: str, http: httpx.AsyncClient
) -> None:
    customer = await Customer.start(http, "C1001")
    async with _socket(server, customer, customer.token) as socket:
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
    async with _socket(server, customer, agent_token) as socket:
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
    async with _socket(server, customer, agent_token) as socket:
        await _receive(socket, 2)  # queued notice, agent joined
        assert (await http.post("/api/auth/logout", headers=agent)).status_code == 204
        await customer.say("退出后的消息")
        with pytest.raises(websockets.ConnectionClosed) as closed:
            await socket.recv()
    assert (closed.value.rcvd.code, closed.value.rcvd.reason) == (4401, "token revoked")


async def test_unassigned_agent_is_refused(server: str, http: httpx.AsyncClient) -> None:
    agent = await login(http, "general_1")
    customer = await Customer.start(http, "C1001")
    assert await _refused(server, customer, agent["Authorization"].removeprefix("Bearer ")) == 4403


async def _agent_socket_on_a_claimed_conversation(http: httpx.AsyncClient, server: str):
    agent = await login(http, "general_1")
    customer = await Customer.start(http, "C1001")
    assert (await customer.hand_off()).status_code == 201
    path = f"/api/agent/conversations/{customer.conversation_id}"
    assert (await http.post(f"{path}/claim", headers=agent)).status_code == 200
    socket = _socket(server, customer, agent["Authorization"].removeprefix("Bearer "))
    return agent, customer, path, socket


async def _quiet_until_closed(socket: ClientConnection) -> tuple[list[dict], int]:
    """Every frame the socket still delivers, and its close code."""
    frames = []
    with pytest.raises(websockets.ConnectionClosed) as closed:
        while True:
            frames.append(json.loads(await socket.recv()))
    return frames, closed.value.rcvd.code


@pytest.mark.parametrize(
    ("action", "body"),
    [("transfer", {"group": "risk", "note": "转风险"}), ("transfer", {"agent": "risk_1"}), ("close", {})],
)
async def test_an_agents_socket_goes_quiet_once_the_conversation_is_not_theirs(
    server: str, http: httpx.AsyncClient, action: str, body: dict
) -> None:
    await login(http, "risk_1")  # online, so a transfer straight to them is accepted
    agent, customer, path, opening = await _agent_socket_on_a_claimed_conversation(http, server)
    async with opening as socket:
        history = await _receive(socket, 2)  # queued notice, agent joined
        await customer.say("转走前")
        assert json.loads(await socket.recv())["text"] == "转走前"
        assert (await http.post(f"{path}/{action}", json=body, headers=agent)).status_code == 200
        await customer.say("转走后的私密内容")
        frames, code = await _quiet_until_closed(socket)
    assert code == 4403
    assert frames == []  # not the hand-over notices, not the message after
    assert len(history) == 2


async def test_a_customers_socket_stays_with_its_conversation_through_a_transfer(
    server: str, http: httpx.AsyncClient
) -> None:
    agent, customer, path, _ = await _agent_socket_on_a_claimed_conversation(http, server)
    async with _socket(server, customer, customer.token) as socket:
        await _receive(socket, 2)
        assert (await http.post(f"{path}/transfer", json={"group": "risk"}, headers=agent)).status_code == 200
        await customer.say("还在吗")
        texts = []
        while "还在吗" not in texts:  # after the transfer's notices
            texts.append(json.loads(await socket.recv())["text"])


@pytest.mark.parametrize(
    ("frame", "detail"),
    [
        (b"\x00\x01", "text frames only"),
        ("x" * 20_000, "frame too large"),
        ("[" * 10_000 + "]" * 10_000, "frame too large"),
        ("[" * 5_000 + "]" * 5_000, "invalid JSON"),  # under the size limit, deeper than the parser goes
        (json.dumps({"type": "message", "text": "长" * 2001}), "String should have at most 2000 characters"),
    ],
)
async def test_unreadable_frames_get_an_error_frame_and_the_socket_stays_open(
    server: str, http: httpx.AsyncClient, frame: str | bytes, detail: str
) -> None:
    customer = await Customer.start(http, "C1001")
    async with _socket(server, customer, customer.token) as socket:
        await socket.send(frame)
        assert json.loads(await socket.recv()) == {"type": "error", "detail": detail}
        await socket.send(json.dumps({"type": "message", "text": "还在吗"}))
        assert json.loads(await socket.recv())["text"] == "还在吗"
