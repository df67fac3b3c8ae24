"""Fixtures: the real app on the real Redis under a unique key prefix, a temp SQLite DB, no Rasa."""

import asyncio
import os
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
import pytest_asyncio
import redis
import uvicorn
import yaml
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import Engine
from sqlalchemy.engine import make_url

from handoff_api.core.config import REPO_ROOT, Settings
from handoff_api.main import create_app
from handoff_api.sql.db import create_db_engine, upgrade_to_head
from handoff_api.store.redis_keys import RedisKeys

SERVICE_TOKEN = "test-service-token"
# Modules that touch the SQL database run on both backends: pytestmark = ON_BOTH_DATABASES.
ON_BOTH_DATABASES = pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
PASSWORD = "demo1234"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def key_prefix() -> Iterator[str]:
    prefix = f"test:{uuid.uuid4().hex}:"
    yield prefix
    client = redis.Redis.from_url(Settings().REDIS_URL)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
    finally:
        client.close()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL of scripts/ensure_postgres.sh (which scripts/test.sh exports as TEST_POSTGRES_URL)."""
    if url := os.environ.get("TEST_POSTGRES_URL"):
        return url
    script = REPO_ROOT / "scripts" / "ensure_postgres.sh"
    return subprocess.run([script], capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh SQLite file, or (parametrised "postgresql") a schema of its own on the test PostgreSQL."""
    if getattr(request, "param", "sqlite") == "sqlite":
        yield f"sqlite:///{tmp_path / 'handoff.db'}"
        return
    admin_url: str = request.getfixturevalue("postgres_url")
    schema = f"test_{uuid.uuid4().hex}"
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute(f"CREATE SCHEMA {schema}")
    url = make_url(admin_url).set(drivername="postgresql+psycopg")
    try:
        yield url.update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
            hide_password=False
        )
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """The database at the head revision, without the app: for tests of the SQL functions themselves."""
    engine = create_db_engine(database_url)
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def routing_overrides() -> dict[str, object]:
    """Top-level keys replaced in config/routing.yml; a test module overrides this to change policy."""
    return {}


@pytest.fixture
def routing_config_path(routing_overrides: dict[str, object], tmp_path: Path) -> Path:
    default = Settings(_env_file=None).ROUTING_CONFIG_PATH
    if not routing_overrides:
        return default
    config = {**yaml.safe_load(default.read_text(encoding="utf-8")), **routing_overrides}
    path = tmp_path / "routing.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


@pytest.fixture
def settings(database_url: str, key_prefix: str, routing_config_path: Path) -> Settings:
    return Settings(
        _env_file=None,
        REDIS_KEY_PREFIX=key_prefix,
        ROUTING_CONFIG_PATH=routing_config_path,
        DATABASE_URL=database_url,
        # Nothing listens there: Rasa is down for these tests; the lead's integration suite covers it live.
        RASA_URL=f"http://127.0.0.1:{_free_port()}",
        RASA_TIMEOUT_SECONDS=1.0,
        SERVICE_TOKEN=SERVICE_TOKEN,
        SECRET_KEY="test-secret-key-for-the-handoff-api-tests",
        # The demo picker is how these tests open customer sessions.
        DEMO_MODE=True,
    )


@pytest_asyncio.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    application = create_app(settings)
    async with application.router.lifespan_context(application):
        yield application


@pytest_asyncio.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as http:
        yield http


@pytest_asyncio.fixture
async def server(settings: Settings) -> AsyncIterator[str]:
    """A real uvicorn server (for WebSocket tests) sharing Redis state with the in-process app."""
    port = _free_port()
    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning")
    uvicorn_server = uvicorn.Server(config)
    task = asyncio.create_task(uvicorn_server.serve())
    while not uvicorn_server.started:
        assert not task.done(), "uvicorn failed to start"
        await asyncio.sleep(0.02)
    yield f"127.0.0.1:{port}"
    uvicorn_server.should_exit = True
    await task


@pytest_asyncio.fixture
async def async_redis(settings: Settings) -> AsyncIterator[Redis]:
    client = Redis.from_url(settings.REDIS_URL, decode_responses=True)
    yield client
    await client.aclose()


@pytest.fixture
def keys(settings: Settings) -> RedisKeys:
    return RedisKeys(settings.REDIS_KEY_PREFIX)


class Customer:
    """A demo session as the web chat holds it."""

    def __init__(self, client: httpx.AsyncClient, customer_id: str, body: dict) -> None:
        self.client = client
        self.customer_id = customer_id
        self.conversation_id: str = body["conversation_id"]
        self.token: str = body["token"]
        self.headers = {"Authorization": f"Bearer {self.token}"}

    @classmethod
    async def start(cls, client: httpx.AsyncClient, customer_id: str) -> "Customer":
        response = await client.post("/api/sessions/demo", json={"customer_id": customer_id})
        assert response.status_code == 201, response.text
        return cls(client, customer_id, response.json())

    async def send(self, text: str) -> dict:
        response = await self.client.post(
            f"/api/conversations/{self.conversation_id}/messages", json={"text": text}, headers=self.headers
        )
        assert response.status_code == 201, response.text
        return response.json()

    async def say(self, text: str) -> list[dict]:
        return (await self.send(text))["messages"]

    async def messages(self, last_id: str = "0") -> list[dict]:
        response = await self.client.get(
            f"/api/conversations/{self.conversation_id}/messages",
            params={"last_id": last_id},
            headers=self.headers,
        )
        assert response.status_code == 200, response.text
        return response.json()["messages"]

    async def status(self) -> dict:
        response = await self.client.get(f"/api/conversations/{self.conversation_id}", headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    async def hand_off(
        self, *, intent: str = "request_human", reason: str = "explicit_request", **extra: object
    ) -> httpx.Response:
        body = {
            "conversation_id": self.conversation_id,
            "customer_id": self.customer_id,
            "tier": "standard",  # echoed by the action server; the handoff API trusts its own session instead
            "intent": intent,
            "reason": reason,
            **extra,
        }
        return await self.client.post(
            "/api/internal/handoffs", json=body, headers={"X-Service-Token": SERVICE_TOKEN}
        )


async def login(client: httpx.AsyncClient, username: str) -> dict[str, str]:
    response = await client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}
