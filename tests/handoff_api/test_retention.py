"""Retention: conversation keys expire after their last message, sooner once a handoff is closed and archived
(summary, masked transcript, CSAT in the SQL database), and every key the service writes has a TTL."""

import httpx
import pytest
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import select
from sqlalchemy.orm import Session

from handoff_api.core.config import Settings
from handoff_api.sql.models import ClosedConversation
from handoff_api.store.redis_keys import RedisKeys
from tests.handoff_api.conftest import ON_BOTH_DATABASES, SERVICE_TOKEN, Customer, login

pytestmark = ON_BOTH_DATABASES


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    return {"auto_assign": False}


async def _ttls(redis: Redis, *names: str) -> list[int]:
    return [await redis.ttl(name) for name in names]


async def _served_and_closed(client: httpx.AsyncClient) -> tuple[Customer, dict[str, str]]:
    agent = await login(client, "general_1")  # online: the handoff is queued for them
    customer = await Customer.start(client, "C1001")
    await customer.say("我的手机 １３８ １２３４ ５６７８，卡号6222021234567890")
    assert (await customer.hand_off()).status_code == 201
    path = f"/api/agent/conversations/{customer.conversation_id}"
    assert (await client.post(f"{path}/claim", headers=agent)).status_code == 200
    assert (
        await client.post(f"{path}/messages", json={"text": "您好，请讲"}, headers=agent)
    ).status_code == 201
    assert (
        await client.post(f"{path}/close", json={"wrap_up": "resolved"}, headers=agent)
    ).status_code == 200
    return customer, agent


async def test_a_conversation_expires_after_its_last_message(
    client: httpx.AsyncClient, async_redis: Redis, keys: RedisKeys, settings: Settings
) -> None:
    customer = await Customer.start(client, "C1001")
    conversation = keys.conversation(customer.conversation_id)
    assert 0 < (await async_redis.ttl(conversation)) <= settings.CONVERSATION_TTL_SECONDS
    await customer.say("你好")
    for ttl in await _ttls(async_redis, conversation, keys.messages(customer.conversation_id)):
        assert settings.CONVERSATION_TTL_SECONDS - 60 < ttl <= settings.CONVERSATION_TTL_SECONDS


async def test_a_closed_handoff_is_archived_then_its_keys_expire_sooner(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, keys: RedisKeys, settings: Settings
) -> None:
    customer, _ = await _served_and_closed(client)
    cid = customer.conversation_id
    for ttl in await _ttls(async_redis, keys.conversation(cid), keys.messages(cid)):
        assert 0 < ttl <= settings.CLOSED_CONVERSATION_TTL_SECONDS < settings.CONVERSATION_TTL_SECONDS
    rated = await client.post(f"/api/conversations/{cid}/csat", json={"score": 5}, headers=customer.headers)
    assert rated.status_code == 201, rated.text
    with Session(app.state.context.engine) as session:
        row = session.scalars(
            select(ClosedConversation).where(ClosedConversation.conversation_id == cid)
        ).one()
    assert (row.customer_id, row.agent, row.group, row.outcome, row.csat_score) == (
        "C1001",
        "general_1",
        "general",
        "resolved",
        5,
    )
    texts = [line["text"] for line in row.transcript]
    assert "我的手机 １３８****５６７８，卡号************7890" in texts  # masked, as agents see it
    assert "您好，请讲" in texts
    assert {line["role"] for line in row.transcript} >= {"customer", "agent", "system"}


async def test_every_key_the_service_writes_has_a_ttl(
    client: httpx.AsyncClient, app: FastAPI, async_redis: Redis, settings: Settings
) -> None:
    customer, agent = await _served_and_closed(client)
    await client.post(
        f"/api/conversations/{customer.conversation_id}/csat", json={"score": 4}, headers=customer.headers
    )
    waiting = await Customer.start(client, "C1002")
    assert (await waiting.hand_off()).status_code == 201  # still queued at the end
    await client.put("/api/agent/presence", json={"status": "away"}, headers=agent)
    ticket = {"category": "complaint", "customer_id": "C1001", "tier": "standard", "description": "投诉"}
    await client.post("/api/internal/tickets", json=ticket, headers={"X-Service-Token": SERVICE_TOKEN})
    # What every API process does every SHARED_KEYS_REFRESH_SECONDS (and once at start, before these existed).
    await app.state.context.stores.shared_keys.refresh()
    names = [name async for name in async_redis.scan_iter(match=f"{settings.REDIS_KEY_PREFIX}*", count=500)]
    assert len(names) > 10
    without_ttl = [name for name in names if await async_redis.ttl(name) < 0]
    assert without_ttl == []
