"""Limits and errors: per-conversation and per-customer rate limits, session creation per address, body size,
validation messages, unexpected errors."""

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.core.config import Settings
from tests.conversation_socket import conversation_socket
from tests.handoff_api.conftest import Customer

RATE_LIMIT = 3
PER_CUSTOMER_LIMIT = 5
SESSIONS_PER_ADDRESS = 3
BODY_LIMIT = 4096
RATE_LIMITED = "too many messages, please slow down / 发送过于频繁，请稍后再试"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={
            "CUSTOMER_MESSAGE_RATE_LIMIT": RATE_LIMIT,
            "CUSTOMER_MESSAGE_RATE_LIMIT_PER_CUSTOMER": PER_CUSTOMER_LIMIT,
            "SESSION_RATE_LIMIT_PER_ADDRESS": SESSIONS_PER_ADDRESS,
            "MAX_REQUEST_BODY_BYTES": BODY_LIMIT,
        }
    )


def _messages_path(customer: Customer) -> str:
    return f"/api/conversations/{customer.conversation_id}/messages"


async def test_customer_messages_over_the_limit_are_429_per_conversation(client: httpx.AsyncClient) -> None:
    chatty, quiet = await Customer.start(client, "C1001"), await Customer.start(client, "C1002")
    for n in range(RATE_LIMIT):
        await chatty.say(f"第{n}条")
    refused = await client.post(_messages_path(chatty), json={"text": "还有"}, headers=chatty.headers)
    assert refused.status_code == 429
    assert refused.json() == {"detail": RATE_LIMITED}
    assert [m["text"] for m in await chatty.messages() if m["role"] == "customer"] == [
        "第0条",
        "第1条",
        "第2条",
    ]
    await quiet.say("你好")


async def test_new_sessions_do_not_reset_the_customers_limit(client: httpx.AsyncClient) -> None:
    first = await Customer.start(client, "C1001")
    for n in range(RATE_LIMIT):
        await first.say(f"第{n}条")
    second = await Customer.start(client, "C1001")  # the same customer, a fresh conversation
    accepted = [
        (
            await client.post(_messages_path(second), json={"text": f"新会话{n}"}, headers=second.headers)
        ).status_code
        for n in range(RATE_LIMIT)
    ]

    # Per conversation the second could send 3; the customer's 5 in the window are used up after 2.
    assert accepted == [201, 201, 429]
    await (await Customer.start(client, "C1002")).say("别的客户不受影响")


async def test_session_creation_is_throttled_per_client_address(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    created = [
        (await client.post("/api/sessions/demo", json={"customer_id": "C1001"})).status_code
        for _ in range(SESSIONS_PER_ADDRESS + 1)
    ]
    portal = await client.post("/api/sessions/portal", json={"token": "x"})  # the same limit, counted first
    elsewhere = httpx.ASGITransport(app=app, client=("192.0.2.10", 40000))
    async with httpx.AsyncClient(transport=elsewhere, base_url="http://handoff.test") as other_address:
        other = await other_address.post("/api/sessions/demo", json={"customer_id": "C1001"})

    assert created == [201] * SESSIONS_PER_ADDRESS + [429]
    assert portal.status_code == 429
    assert portal.json() == {
        "detail": "too many new sessions, please try again later / 会话创建过于频繁，请稍后再试"
    }
    assert other.status_code == 201


async def test_socket_and_http_share_the_limit(server: str) -> None:
    async with httpx.AsyncClient(base_url=f"http://{server}") as http:
        customer = await Customer.start(http, "C1001")
        for n in range(RATE_LIMIT):
            await customer.say(f"第{n}条")
        last_id = (await customer.messages())[-1]["id"]
        async with conversation_socket(
            f"ws://{server}", customer.conversation_id, customer.token, last_id
        ) as socket:
            await socket.send(json.dumps({"type": "message", "text": "还有"}))
            frame = json.loads(await socket.recv())
        assert frame == {"type": "error", "detail": RATE_LIMITED}
        assert "还有" not in [m["text"] for m in await customer.messages()]


async def test_rate_limit_window_expires(client: httpx.AsyncClient, app: FastAPI, async_redis, keys) -> None:
    customer = await Customer.start(client, "C1001")
    for n in range(RATE_LIMIT):
        await customer.say(f"第{n}条")
    key = keys.message_rate(customer.conversation_id)
    assert 0 < await async_redis.ttl(key) <= app.state.context.settings.CUSTOMER_MESSAGE_RATE_WINDOW_SECONDS
    await async_redis.delete(key)  # what the TTL does at the end of the window
    await customer.say("又可以发了")


async def test_body_over_the_limit_is_413_with_or_without_content_length(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    big = ('{"text": "' + "长" * 1500 + '"}').encode()
    declared = await client.post(
        _messages_path(customer),
        content=big,
        headers={**customer.headers, "Content-Type": "application/json"},
    )

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 1000):
            yield big[start : start + 1000]

    streamed = await client.post(
        _messages_path(customer),
        content=chunks(),
        headers={**customer.headers, "Content-Type": "application/json"},
    )
    for response in (declared, streamed):
        assert response.status_code == 413
        assert response.json() == {"detail": "request body too large"}
    assert await customer.messages() == []


async def test_validation_error_has_a_one_line_message_and_no_echo(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    response = await client.post(_messages_path(customer), json={"text": ""}, headers=customer.headers)
    assert response.status_code == 422
    body = response.json()
    assert body["message"] == "body.text: String should have at least 1 character"
    assert body["detail"] == [
        {
            "loc": ["body", "text"],
            "msg": "String should have at least 1 character",
            "type": "string_too_short",
        }
    ]


async def test_unexpected_error_is_a_bare_500_logged_with_the_conversation_id(
    app: FastAPI, caplog: pytest.LogCaptureFixture
) -> None:
    async def broken(conversation_id: str) -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/conversations/{conversation_id}/broken", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as client:
        with caplog.at_level(logging.ERROR, logger="handoff_api.api.errors"):
            response = await client.get("/api/conversations/c-42/broken")
    assert response.status_code == 500 and response.json() == {"detail": "internal error"}
    assert "secret" not in response.text
    [record] = [r for r in caplog.records if r.name == "handoff_api.api.errors"]
    assert record.conversation_id == "c-42" and record.exc_info is not None
