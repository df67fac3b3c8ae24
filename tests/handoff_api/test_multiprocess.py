"""Several real API processes (uvicorn subprocesses) sharing one Redis key prefix. Slow: about a minute.

No deadline: the consoles work for as long as handoffs keep ending, so a slow machine only takes longer.
"""

import asyncio
import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
import yaml
from redis.asyncio import Redis

from contract.names import CustomerTier
from handoff_api.core.config import REPO_ROOT
from handoff_api.core.security import hash_password
from handoff_api.store.conversations import ConversationStore
from handoff_api.store.redis_keys import RedisKeys
from tests.handoff_api.conftest import PASSWORD, SERVICE_TOKEN, _free_port
from tests.progress import wait_while_progressing

AGENTS = 50
CAPACITY = 3
HANDOFFS = 5000


@pytest.fixture
def agents_file(tmp_path: Path) -> Path:
    password_hash = hash_password(PASSWORD)  # one slow hash shared by every test agent
    agents = [
        {
            "username": f"agent_{i:02d}",
            "name": f"坐席{i}",
            "level": "mid",
            "groups": ["general"],
            "capacity": CAPACITY,
            "password_hash": password_hash,
        }
        for i in range(AGENTS)
    ]
    path = tmp_path / "agents.yml"
    path.write_text(yaml.safe_dump({"agents": agents}, allow_unicode=True), encoding="utf-8")
    return path


class ApiProcess:
    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [sys.executable, "-m", "uvicorn", "handoff_api.main:create_app", "--factory"]
        with log.open("wb") as output:  # read it when a test fails
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port), "--log-level", "warning", "--timeout-keep-alive", "120"],
                cwd=REPO_ROOT,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    async def wait_ready(self, http: httpx.AsyncClient) -> None:
        async def ready() -> bool:
            assert self.process.poll() is None, "API process exited at start-up"
            try:
                return (await http.get(f"{self.url}/readyz")).status_code == 200
            except httpx.TransportError:
                return False

        await wait_while_progressing(ready, bool, what="API process start-up")

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture
def process_env(key_prefix: str, agents_file: Path, tmp_path: Path) -> Iterator[dict[str, str]]:
    yield {
        **os.environ,
        "REDIS_KEY_PREFIX": key_prefix,
        "AGENTS_CONFIG_PATH": str(agents_file),
        "SERVICE_TOKEN": SERVICE_TOKEN,
        "SECRET_KEY": "test-secret-key-for-the-handoff-api-tests",
        "DEMO_MODE": "true",
        "RASA_URL": f"http://127.0.0.1:{_free_port()}",  # Rasa down, as in the in-process tests
        "RASA_TIMEOUT_SECONDS": "1",
        "AGENT_PRESENCE_TTL_SECONDS": "600",
        "DISPATCH_TICK_SECONDS": "0.2",
        "LOG_LEVEL": "WARNING",
    }


@pytest_asyncio.fixture
async def processes(process_env: dict[str, str], tmp_path: Path) -> AsyncIterator[list[ApiProcess]]:
    started = [
        ApiProcess(
            {**process_env, "DATABASE_URL": f"sqlite:///{tmp_path / f'api{i}.db'}"}, tmp_path / f"api{i}.log"
        )
        for i in range(2)
    ]
    try:
        async with httpx.AsyncClient(timeout=30) as http:
            for api in started:
                await api.wait_ready(http)
        yield started
    finally:
        for api in started:
            api.stop()


async def _conversations(redis: Redis, keys: RedisKeys, count: int) -> list[str]:
    store = ConversationStore(redis, keys, ttl_seconds=3600)
    ids = [f"mp{i:05d}" for i in range(count)]
    for start in range(0, count, 50):
        batch = ids[start : start + 50]
        await asyncio.gather(
            *(store.create(c, customer_id="C1001", tier=CustomerTier.STANDARD) for c in batch)
        )
    return ids


async def _login(http: httpx.AsyncClient, url: str, username: str) -> dict[str, str]:
    response = await http.post(f"{url}/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def _hand_off(http: httpx.AsyncClient, url: str, conversation_id: str) -> str:
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
    assert response.status_code in (200, 201), response.text
    return response.json()["status"]


class Seat:
    """An agent's console: lists their conversations, checks the load, closes each one."""

    def __init__(self, http: httpx.AsyncClient, urls: list[str], headers: dict[str, str]) -> None:
        self.http, self.urls, self.headers = http, urls, headers
        self.max_load = 0
        self.transport_errors = 0

    async def work(self, until: asyncio.Event) -> None:
        turn = 0
        while not until.is_set():
            url = self.urls[turn % len(self.urls)]
            turn += 1
            try:
                await self._close_mine(url)
            except httpx.TransportError:
                # A reset connection under load: the console polls again; Redis says what was closed.
                self.transport_errors += 1
            await asyncio.sleep(0.5)  # a console polling twice a second

    async def _close_mine(self, url: str) -> None:
        mine = (await self.http.get(f"{url}/api/agent/conversations", headers=self.headers)).json()
        self.max_load = max(self.max_load, len(mine))
        for line in mine:
            path = f"{url}/api/agent/conversations/{line['conversation_id']}/close"
            response = await self.http.post(path, json={"wrap_up": "resolved"}, headers=self.headers)
            assert response.status_code == 200, response.text


async def _outcomes(redis: Redis, keys: RedisKeys) -> Counter[tuple[str, str]]:
    entries = await redis.xrange(keys.outcome_log())
    return Counter((fields["conversation_id"], fields["outcome"]) for _id, fields in entries)


async def _run_seats(
    seats: list[Seat], redis: Redis, keys: RedisKeys, total: int
) -> Counter[tuple[str, str]]:
    """Let the consoles work until Redis has recorded total resolved handoffs, for as long as handoffs keep
    ending; returns the outcome log."""
    done = asyncio.Event()
    workers = [asyncio.create_task(seat.work(done)) for seat in seats]
    try:
        return await wait_while_progressing(
            lambda: _outcomes(redis, keys),
            lambda outcomes: sum(1 for (_c, outcome) in outcomes if outcome == "resolved") >= total,
            what="handoff outcomes",
            poll_seconds=1,
        )
    finally:
        done.set()
        await asyncio.gather(*workers)


def _ended_once(outcomes: Counter[tuple[str, str]], outcome: str) -> int:
    """How many conversations ended so; fails if any ended so twice."""
    counts = [n for (_c, name), n in outcomes.items() if name == outcome]
    assert set(counts) <= {1}, f"{outcome} recorded twice"
    return len(counts)


@pytest.mark.timeout(0)  # its length grows with the machine's speed; a stall fails it instead
async def test_two_processes_fifty_agents_many_handoffs(
    processes: list[ApiProcess], async_redis: Redis, keys: RedisKeys
) -> None:
    urls = [api.url for api in processes]
    ids = await _conversations(async_redis, keys, HANDOFFS)
    async with httpx.AsyncClient(timeout=60, limits=httpx.Limits(max_connections=200)) as http:
        headers = [await _login(http, urls[i % 2], f"agent_{i:02d}") for i in range(AGENTS)]
        seats = [Seat(http, urls[i % 2 :] + urls[: i % 2], h) for i, h in enumerate(headers)]
        working = asyncio.create_task(_run_seats(seats, async_redis, keys, HANDOFFS))
        gate = asyncio.Semaphore(50)

        async def hand_off(i: int, conversation_id: str) -> str:
            async with gate:
                return await _hand_off(http, urls[i % 2], conversation_id)

        statuses = await asyncio.gather(*(hand_off(i, c) for i, c in enumerate(ids)))
        outcomes = await working

    assert Counter(statuses) == {"queued": HANDOFFS}
    assert max(seat.max_load for seat in seats) <= CAPACITY  # zero capacity overruns seen by any console
    assert _ended_once(outcomes, "assigned") == HANDOFFS  # zero assigned twice, zero lost
    assert _ended_once(outcomes, "resolved") == HANDOFFS
    assert await async_redis.zcard(keys.queue("general")) == 0


@pytest.mark.timeout(0)  # its length grows with the machine's speed; a stall fails it instead
async def test_sigkill_loses_no_waiting_customer(
    processes: list[ApiProcess], async_redis: Redis, keys: RedisKeys
) -> None:
    doomed, survivor = processes
    ids = await _conversations(async_redis, keys, 200)
    async with httpx.AsyncClient(timeout=60) as http:
        # One agent online keeps the queue open while every customer waits; away, they take no work.
        keeper = await _login(http, doomed.url, "agent_00")
        await http.put(f"{doomed.url}/api/agent/presence", json={"status": "away"}, headers=keeper)
        await http.put(f"{doomed.url}/api/agent/presence", json={"status": "online"}, headers=keeper)
        statuses = [await _hand_off(http, (doomed.url, survivor.url)[i % 2], c) for i, c in enumerate(ids)]
        assert Counter(statuses) == {"queued": len(ids)}
        await http.put(f"{doomed.url}/api/agent/presence", json={"status": "away"}, headers=keeper)
        waiting = await async_redis.zcard(keys.queue("general"))
        assert waiting >= len(ids) - CAPACITY

        doomed.kill()
        headers = [await _login(http, survivor.url, f"agent_{i:02d}") for i in range(1, 11)]
        seats = [Seat(http, [survivor.url], h) for h in headers]
        outcomes = await _run_seats(seats, async_redis, keys, waiting)

    assert _ended_once(outcomes, "resolved") == waiting  # every waiting customer served by the survivor
    assert _ended_once(outcomes, "assigned") == len(ids)
    assert await async_redis.zcard(keys.queue("general")) == 0
