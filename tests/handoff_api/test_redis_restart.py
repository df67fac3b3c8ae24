"""Redis restarted under a running API process: append-only persistence keeps every queued customer.

A private redis-server (not the shared one) so the test may kill it: `--appendonly yes --appendfsync always`
in a temporary directory, SIGKILLed while customers wait and started again on the same directory and port.
"""

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import yaml
from redis.asyncio import Redis

from handoff_api.core.security import hash_password
from handoff_api.domain.states import PresenceStatus
from handoff_api.store.presence import Presence
from handoff_api.store.redis_keys import RedisKeys
from tests.handoff_api.conftest import PASSWORD, SERVICE_TOKEN, _free_port
from tests.handoff_api.test_multiprocess import ApiProcess, _login
from tests.progress import wait_while_progressing
from tests.redis_server import RedisServer

# Every write reaches the disk before Redis answers, so a SIGKILL loses nothing acknowledged; no RDB
# snapshots, so what comes back is the append-only file alone.
PERSISTENCE = ("--appendonly", "yes", "--appendfsync", "always", "--save", "")
PREFIX = "restart:"
CUSTOMERS = 20
WORKERS = 2
CAPACITY = 10  # WORKERS * CAPACITY seats: every waiting customer is assigned after the restart


@pytest_asyncio.fixture
async def redis_server(tmp_path: Path) -> AsyncIterator[RedisServer]:
    directory = tmp_path / "redis"
    directory.mkdir()
    server = RedisServer(directory, options=PERSISTENCE)
    server.start()
    try:
        await server.wait_ready()
        yield server
    finally:
        server.kill()


@pytest.fixture
def agents_file(tmp_path: Path) -> Path:
    password_hash = hash_password(PASSWORD)
    agent = {"level": "mid", "groups": ["general"], "password_hash": password_hash}
    agents = [{"username": "keeper", "name": "值守", "capacity": 1, **agent}] + [
        {"username": f"worker_{i}", "name": f"坐席{i}", "capacity": CAPACITY, **agent} for i in range(WORKERS)
    ]
    path = tmp_path / "agents.yml"
    path.write_text(yaml.safe_dump({"agents": agents}, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def api(redis_server: RedisServer, agents_file: Path, tmp_path: Path) -> Iterator[ApiProcess]:
    env = {
        **os.environ,
        "REDIS_URL": redis_server.url,
        "REDIS_KEY_PREFIX": PREFIX,
        "AGENTS_CONFIG_PATH": str(agents_file),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'handoff.db'}",
        "SERVICE_TOKEN": SERVICE_TOKEN,
        "SECRET_KEY": "test-secret-key-for-the-handoff-api-tests",
        "DEMO_MODE": "true",
        "RASA_URL": f"http://127.0.0.1:{_free_port()}",  # Rasa down, as in the other tests
        "RASA_TIMEOUT_SECONDS": "1",
        "AGENT_PRESENCE_TTL_SECONDS": "600",
        "DISPATCH_TICK_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    process = ApiProcess(env, tmp_path / "api.log")
    try:
        yield process
    finally:
        process.stop()


async def _queue_customer(http: httpx.AsyncClient, url: str) -> tuple[str, dict[str, str]]:
    """A demo customer who talks to the bot, asks for a human, and writes again while queued."""
    response = await http.post(f"{url}/api/sessions/demo", json={"customer_id": "C1001"})
    assert response.status_code == 201, response.text
    session = response.json()
    conversation_id = session["conversation_id"]
    headers = {"Authorization": f"Bearer {session['token']}"}
    path = f"{url}/api/conversations/{conversation_id}/messages"
    assert (await http.post(path, json={"text": "我要转人工"}, headers=headers)).status_code == 201
    body = {
        "conversation_id": conversation_id,
        "customer_id": "C1001",
        "tier": "standard",
        "intent": "request_human",
        "reason": "explicit_request",
    }
    response = await http.post(
        f"{url}/api/internal/handoffs", json=body, headers={"X-Service-Token": SERVICE_TOKEN}
    )
    assert response.status_code == 201, response.text
    assert (await http.post(path, json={"text": "还在排队吗"}, headers=headers)).status_code == 201
    return conversation_id, headers


async def _messages(http: httpx.AsyncClient, url: str, conversation_id: str, headers: dict[str, str]) -> list:
    response = await http.get(f"{url}/api/conversations/{conversation_id}/messages", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def _wait_readyz(http: httpx.AsyncClient, url: str, expected: int) -> None:
    async def status() -> int:
        return (await http.get(f"{url}/readyz")).status_code

    await wait_while_progressing(status, lambda code: code == expected, what=f"/readyz answering {expected}")


async def test_redis_restart_loses_no_queued_conversation_or_message(
    redis_server: RedisServer, api: ApiProcess
) -> None:
    keys = RedisKeys(PREFIX)
    redis = Redis.from_url(redis_server.url, decode_responses=True)
    try:
        # An online agent who is already full keeps the queue open (no `no_agent`) but is never assigned.
        keeper_groups = {"keeper": ["general"]}
        presence = Presence(redis, keys, ttl_seconds=600, seat_groups=keeper_groups, groups=["general"])
        await presence.set_status("keeper", PresenceStatus.ONLINE)
        await redis.sadd(keys.agent_conversations("keeper"), "placeholder")
        async with httpx.AsyncClient(timeout=30) as http:
            await api.wait_ready(http)
            customers = [await _queue_customer(http, api.url) for _ in range(CUSTOMERS)]
            before = {cid: await _messages(http, api.url, cid, h) for cid, h in customers}
            queued = await redis.zrange(keys.queue("general"), 0, -1)
            assert sorted(queued) == sorted(before)

            redis_server.kill()
            await _wait_readyz(http, api.url, 503)
            redis_server.start()
            await redis_server.wait_ready()
            await _wait_readyz(http, api.url, 200)

            await redis.aclose()  # its pooled connection died with the server
            redis = Redis.from_url(redis_server.url, decode_responses=True)
            assert await redis.zrange(keys.queue("general"), 0, -1) == queued
            after = {cid: await _messages(http, api.url, cid, h) for cid, h in customers}
            assert after == before  # every message, same ids, same order

            for i in range(WORKERS):
                await _login(http, api.url, f"worker_{i}")  # online: the dispatcher assigns them the queue
            drained = await wait_while_progressing(
                lambda: redis.zcard(keys.queue("general")),
                lambda waiting: waiting == 0,
                what="queue draining",
            )
            assert drained == 0
            assigned = [
                cid
                for i in range(WORKERS)
                for cid in await redis.smembers(keys.agent_conversations(f"worker_{i}"))
            ]
            assert sorted(assigned) == sorted(before)

            for cid, headers in customers:
                messages = await _messages(http, api.url, cid, headers)
                assert messages[: len(before[cid])] == before[cid]
                events = [m["meta"].get("event") for m in messages[len(before[cid]) :]]
                assert events.count("agent_joined") == 1 and set(events) <= {"agent_joined", "queue_update"}
    finally:
        await redis.aclose()
