"""Outside demo mode no process starts on a secret the repository publishes (config/defaults.env): the handoff
API, the action server and Rasa (its gateway channel) each exit at once, naming the setting."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from dotenv import dotenv_values

from bot.redis_endpoint import endpoint_settings
from contract.demo_secrets import SECRET_NAMES
from tests.integration.system import ROOT, cpu_ticks_of_tree, free_port
from tests.progress import StallWatch, wait_while_progressing

pytestmark = pytest.mark.integration

DEFAULTS = dotenv_values(ROOT / "config" / "defaults.env")
REFUSAL = "refuses to start: {name} is empty or the public value from config/defaults.env"


def _env(tmp_path: Path, *, public: str, demo_mode: bool = False) -> dict[str, str]:
    """A deployment's environment: its own secrets, except `public`, which keeps the repository's value."""
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    secrets = {name: f"{name.lower()}-of-this-deployment-{os.urandom(8).hex()}" for name in SECRET_NAMES}
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/root"),
        "PYTHONPATH": str(ROOT),
        "RASA_TELEMETRY_ENABLED": "false",
        **secrets,
        public: DEFAULTS[public] or "",
        "DEMO_MODE": str(demo_mode).lower(),
        "REDIS_URL": redis_url,
        "RASA_REDIS_PREFIX": f"secrets{os.urandom(4).hex()}",
        "DEMO_BACKEND_PATH": str(tmp_path / "demo_backend.json"),
        # What endpoints.yml needs from scripts/run.sh; nothing listens on port 9.
        "ACTION_ENDPOINT_URL": "http://127.0.0.1:9/webhook",
        **endpoint_settings(redis_url),
        "RASA_TRACKER_KEEP_TURNS": DEFAULTS["RASA_TRACKER_KEEP_TURNS"],
        "CONVERSATION_TTL_SECONDS": DEFAULTS["CONVERSATION_TTL_SECONDS"],
    }


API = [
    str(ROOT / ".venv/bin/python"),
    "-m",
    "uvicorn",
    "handoff_api.main:create_app",
    "--factory",
    "--port",
    "0",
]
ACTIONS = [str(ROOT / ".venv-rasa/bin/python"), "-m", "actions.server"]
RASA = [
    str(ROOT / ".venv-rasa/bin/rasa"),
    "run",
    *("--credentials", "credentials.yml", "--endpoints", "endpoints.yml", "--model", "models/current.tar.gz"),
    *("--interface", "127.0.0.1"),
]


@pytest.fixture
def refused(request: pytest.FixtureRequest, tmp_path: Path) -> tuple[str, int, str]:
    """Runs (command, public setting) until the process exits: the setting, exit code and output. A fixture,
    so that a slow start on a loaded machine is waited for while the process uses CPU, not against a clock."""
    command, public = request.param
    log_path = tmp_path / "process.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [*command, *([] if command is API else ["--port", str(free_port())])],
            cwd=ROOT,
            env=_env(tmp_path, public=public),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    watch = StallWatch(f"{command[-1]} start-up")
    try:
        while proc.poll() is None:
            watch.observe((cpu_ticks_of_tree(proc.pid), log_path.stat().st_size))
            time.sleep(0.5)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return public, proc.returncode, log_path.read_text(encoding="utf-8", errors="replace")


@pytest.mark.parametrize("refused", [(API, "SECRET_KEY")], indirect=True)
def test_the_handoff_api_refuses_the_public_secret_key(refused: tuple[str, int, str]) -> None:
    name, code, output = refused
    assert code != 0
    assert "the handoff API " + REFUSAL.format(name=name) in output


@pytest.mark.parametrize("refused", [(ACTIONS, "SERVICE_TOKEN")], indirect=True)
def test_the_action_server_refuses_the_public_service_token(refused: tuple[str, int, str]) -> None:
    name, code, output = refused
    assert code != 0
    assert "the action server " + REFUSAL.format(name=name) in output


@pytest.fixture
async def action_server_on_own_secrets(tmp_path: Path) -> AsyncIterator[tuple[subprocess.Popen[bytes], str]]:
    """The same command with the secret set: it is the public value that stopped it."""
    port = free_port()
    env = {**_env(tmp_path, public="SERVICE_TOKEN"), "SERVICE_TOKEN": "the-deployments-own-service-token"}
    log_path = tmp_path / "actions.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [*ACTIONS, "--port", str(port)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        async with httpx.AsyncClient(timeout=5) as http:

            async def health() -> tuple[int | None, int, int]:
                try:
                    answered: int | None = (await http.get(f"http://127.0.0.1:{port}/health")).status_code
                except httpx.TransportError:
                    answered = None
                return answered, log_path.stat().st_size, cpu_ticks_of_tree(proc.pid)

            await wait_while_progressing(
                health, lambda seen: seen[0] == 200 or proc.poll() is not None, what="actions"
            )
        yield proc, log_path.read_text(encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait()


def test_the_action_server_starts_on_its_own_secrets(
    action_server_on_own_secrets: tuple[subprocess.Popen[bytes], str],
) -> None:
    proc, log = action_server_on_own_secrets
    assert proc.poll() is None, log


# RASA_TOKEN guards Rasa's HTTP API (raw trackers, appended events): the channel checks it for Rasa.
@pytest.mark.parametrize("refused", [(RASA, "GATEWAY_SECRET"), (RASA, "RASA_TOKEN")], indirect=True)
def test_rasa_refuses_a_public_gateway_secret_or_api_token(refused: tuple[str, int, str]) -> None:
    name, code, output = refused
    assert code != 0
    assert "Rasa's gateway channel " + REFUSAL.format(name=name) in output
