"""Schemathesis over the OpenAPI spec: no operation answers 5xx, whatever the input.

The app runs in a real uvicorn server on its own thread (its own event loop and lifespan), because
schemathesis calls it synchronously; credentials of each kind are supplied so requests get past auth.
"""

import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest
import redis
import schemathesis
import uvicorn
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error

from handoff_api.core.config import Settings
from handoff_api.main import create_app
from tests.handoff_api.conftest import PASSWORD, SERVICE_TOKEN, _free_port

# Bounded so the whole module stays well under a minute on two cores.
MAX_EXAMPLES = 12


@dataclass(frozen=True)
class Credentials:
    service: dict[str, str]
    agent: dict[str, str]
    customer: dict[str, str]
    conversation_id: str

    def headers_for(self, path: str) -> dict[str, str]:
        if path.startswith("/api/internal"):
            return self.service
        if path.startswith(("/api/agent", "/api/supervisor", "/api/trainer")):
            return self.agent
        return self.customer


@dataclass(frozen=True)
class RunningApi:
    base_url: str
    credentials: Credentials


@pytest.fixture(scope="module")
def running_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    prefix = f"test:{uuid.uuid4().hex}:"
    app_settings = Settings(
        _env_file=None,
        REDIS_KEY_PREFIX=prefix,
        DATABASE_URL=f"sqlite:///{tmp_path_factory.mktemp('schemathesis') / 'handoff.db'}",
        RASA_URL=f"http://127.0.0.1:{_free_port()}",
        RASA_TIMEOUT_SECONDS=1.0,
        SERVICE_TOKEN=SERVICE_TOKEN,
        SECRET_KEY="test-secret-key-for-the-handoff-api-tests",
        # The demo picker is how these tests open customer sessions.
        DEMO_MODE=True,
    )
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            create_app(app_settings), host="127.0.0.1", port=port, log_level="warning", loop="asyncio"
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        assert thread.is_alive(), "uvicorn failed to start"
        time.sleep(0.02)
    base_url = f"http://127.0.0.1:{port}"
    try:
        with httpx.Client(base_url=base_url) as http:
            session = http.post("/api/sessions/demo", json={"customer_id": "C1001"}).json()
            login = http.post("/api/auth/login", json={"username": "supervisor", "password": PASSWORD})
            login.raise_for_status()
        yield RunningApi(
            base_url,
            Credentials(
                service={"X-Service-Token": SERVICE_TOKEN},
                agent={"Authorization": f"Bearer {login.json()['token']}"},
                customer={"Authorization": f"Bearer {session['token']}"},
                conversation_id=session["conversation_id"],
            ),
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        client = redis.Redis.from_url(app_settings.REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*", count=500))
        if keys:
            client.delete(*keys)
        client.close()


# Building the spec needs no Redis or database; the server below serves the same app.
# (schemathesis.pytest.from_fixture would load it lazily, but fails on pytest 9's nodes.)
schema = schemathesis.openapi.from_dict(create_app(Settings(_env_file=None, DEMO_MODE=True)).openapi())


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_5xx(case: schemathesis.Case, running_api: RunningApi) -> None:
    credentials = running_api.credentials
    # The customer's own conversation, so requests reach validation and the handlers, not only the 403.
    if case.path.startswith("/api/conversations/") and case.path_parameters:
        case.path_parameters["conversation_id"] = credentials.conversation_id
    response = case.call(base_url=running_api.base_url, headers=credentials.headers_for(case.path))
    case.validate_response(response, checks=[not_a_server_error])
