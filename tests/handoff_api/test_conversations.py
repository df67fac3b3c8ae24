"""Customer HTTP endpoints: token checks, message order, Rasa down, front-door masking, input validation."""

import asyncio
import time

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.schemas import MAX_TEXT_CHARS
from handoff_api.services.bot_turns import BOT_DELAYED_NOTICE
from handoff_api.services.gateway import ACCOUNT_NUMBER_NOTICE
from tests.handoff_api.conftest import Customer, login


@pytest.mark.parametrize(
    ("headers", "status", "detail"),
    [
        ({}, 401, "invalid token"),
        ({"Authorization": "Bearer not-a-token"}, 401, "invalid token"),
        ({"Authorization": "Basic abc"}, 401, "invalid token"),
    ],
)
async def test_missing_or_bad_token_is_401(client: httpx.AsyncClient, headers, status, detail) -> None:
    customer = await Customer.start(client, "C1001")
    response = await client.get(f"/api/conversations/{customer.conversation_id}/messages", headers=headers)
    assert response.status_code == status
    assert response.json() == {"detail": detail}


async def test_token_of_another_conversation_is_403(client: httpx.AsyncClient) -> None:
    mine, theirs = await Customer.start(client, "C1001"), await Customer.start(client, "C1002")
    await theirs.say("我的卡号是6222021234567890123")
    stored_before = await theirs.messages()
    for method, path in [
        ("GET", f"/api/conversations/{theirs.conversation_id}"),
        ("GET", f"/api/conversations/{theirs.conversation_id}/messages"),
        ("POST", f"/api/conversations/{theirs.conversation_id}/messages"),
    ]:
        response = await client.request(method, path, headers=mine.headers, json={"text": "你好"})
        assert response.status_code == 403, path
        assert response.json() == {"detail": "token not valid for this conversation"}
    assert await theirs.messages() == stored_before


async def test_agent_token_cannot_act_as_customer(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    agent = await login(client, "general_1")
    response = await client.get(f"/api/conversations/{customer.conversation_id}/messages", headers=agent)
    assert response.status_code == 403


async def test_messages_are_stored_in_order_and_read_after_last_id(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    for text in ["第一条", "第二条", "第三条"]:
        await customer.say(text)

    everything = await customer.messages()
    customer_texts = [m["text"] for m in everything if m["role"] == "customer"]
    assert customer_texts == ["第一条", "第二条", "第三条"]
    stream_positions = [tuple(map(int, m["id"].split("-"))) for m in everything]
    assert stream_positions == sorted(set(stream_positions))

    after_first_pair = await customer.messages(last_id=everything[1]["id"])
    assert after_first_pair == everything[2:]
    assert await customer.messages(last_id=everything[-1]["id"]) == []


async def test_rasa_down_keeps_the_message_and_says_once_the_bot_is_catching_up(
    client: httpx.AsyncClient,
) -> None:
    customer = await Customer.start(client, "C1001")
    first = await customer.send("查一下余额")
    second = await customer.send("还有积分")

    assert [(m["role"], m["text"]) for m in first["messages"]] == [
        ("customer", "查一下余额"),
        ("system", BOT_DELAYED_NOTICE),
    ]
    assert first["messages"][1]["meta"] == {"event": "bot_delayed"}
    assert [m["role"] for m in second["messages"]] == ["customer"]
    assert first["bot_reply_pending"] and second["bot_reply_pending"]


async def test_a_turn_dropped_after_retries_leaves_no_back_off_behind(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """Rasa is down, so the turn is retried with a back-off; the conversation then goes to an agent, the turn
    is dropped, and the worker forgets the back-off (kept, it would outlive every such conversation)."""
    worker = app.state.bot_turn_worker
    await login(client, "general_1")
    customer = await Customer.start(client, "C1001")
    await customer.send("查一下余额")
    while worker.backing_off == 0:
        await asyncio.sleep(0.05)

    assert (await customer.hand_off()).json()["status"] == "queued"
    while worker.backing_off:
        await asyncio.sleep(0.05)
    assert (await customer.status())["state"] != "bot"


async def test_room_held_for_accepting_requests_counts_against_the_workers_concurrency(app: FastAPI) -> None:
    """Back-pressure holds for turns served at once: a request accepting a message holds a place in the
    worker's room until it hands the leased turn over or gives the place back."""
    worker, settings = app.state.bot_turn_worker, app.state.context.settings
    assert app.state.context.turn_waiters.server is worker
    concurrency = settings.BOT_TURNS_IN_FLIGHT_PER_RASA * len(settings.rasa_urls)
    before = time.time()
    leases = [worker.reserve() for _ in range(concurrency)]

    assert all(lease is not None and lease >= before + settings.BOT_TURN_LEASE_SECONDS for lease in leases)
    assert worker.reserve() is None  # full: the message waits in Redis for a claim instead
    worker.release(None)
    assert worker.reserve() is not None


async def test_full_card_and_id_numbers_are_masked_before_storage_and_the_customer_is_told_once(
    client: httpx.AsyncClient,
) -> None:
    customer = await Customer.start(client, "C1001")
    first = await customer.say("卡号６２２２ ０２１２ ３４５６ ７８９０丢了")
    second = await customer.say("身份证11010519491231002X，手机13812345678")

    assert first[0]["text"] == "卡号************７８９０丢了"
    assert [m["meta"].get("event") for m in first[1:]] == ["account_number_masked", "bot_delayed"]
    assert first[1]["text"] == ACCOUNT_NUMBER_NOTICE
    # The mobile stays for a callback; the notice is not repeated.
    assert [m["text"] for m in second] == ["身份证**************002X，手机13812345678"]
    stored = [m["text"] for m in await customer.messages() if m["role"] == "customer"]
    assert stored == [first[0]["text"], second[0]["text"]]


@pytest.mark.parametrize(
    "body",
    [
        {"text": ""},
        {"text": "   \n "},
        {"text": "长" * (MAX_TEXT_CHARS + 1)},
        {},
        {"text": 42},
        {"text": "好", "payload": "not-a-payload"},
    ],
)
async def test_invalid_message_is_422(client: httpx.AsyncClient, body: dict) -> None:
    customer = await Customer.start(client, "C1001")
    response = await client.post(
        f"/api/conversations/{customer.conversation_id}/messages", json=body, headers=customer.headers
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][0] == "body"
    assert await customer.messages() == []


async def test_malformed_json_is_422(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    response = await client.post(
        f"/api/conversations/{customer.conversation_id}/messages",
        content=b'{"text": ',
        headers={**customer.headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["type"] == "json_invalid"


async def test_invalid_last_id_is_422(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    response = await client.get(
        f"/api/conversations/{customer.conversation_id}/messages",
        params={"last_id": "$"},
        headers=customer.headers,
    )
    assert response.status_code == 422
    assert response.json() == {"detail": "invalid last_id"}


async def test_script_text_is_stored_as_text(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    await customer.say("<img src=x onerror=alert(1)><script>alert(2)</script>")
    assert (await customer.messages())[0]["text"] == "<img src=x onerror=alert(1)><script>alert(2)</script>"
