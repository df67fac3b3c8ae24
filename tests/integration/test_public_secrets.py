"""Outside demo mode no process starts on a secret the repository publishes (config/defaults.env): the handoff
API, the action server and Rasa (its gateway channel) each exit at once, naming the setting."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import httpx
import pytest
from dotenv import dotenv_values

from contract.demo_secrets import SECRET_NAMES
from tests.integration.system import ROOT, free_port
from tests.progress import wait_while_progressing

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
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(httpx.URL(redis_url).port or 6379),
        "REDIS_DB": "0",
        "REDIS_PASSWORD": "",
    }


def _refused(command: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    return result.returncode, result.stdout + result.stderr


def test_the_handoff_api_refuses_the_public_secret_key(tmp_path: Path) -> None:
    command = [str(ROOT / ".venv/bin/python"), "-m", "uvicorn", "handoff_api.main:create_app", "--factory"]
    code, output = _refused([*command, "--port", str(free_port())], _env(tmp_path, public="SECRET_KEY"))

    assert code != 0
    assert "the handoff API " + REFUSAL.format(name="SECRET_KEY") in output


def test_the_action_server_refuses_the_public_service_token(tmp_path: Path) -> None:
    command = [str(ROOT / ".venv-rasa/bin/python"), "-m", "actions.server", "--port", str(free_port())]
    code, output = _refused(command, _env(tmp_path, public="SERVICE_TOKEN"))

    assert code != 0
    assert "the action server " + REFUSAL.format(name="SERVICE_TOKEN") in output


async def test_the_action_server_starts_on_its_own_secrets(tmp_path: Path) -> None:
    """The same command, the secret set: it is the public value that stopped it."""
    port = free_port()
    env = {**_env(tmp_path, public="SERVICE_TOKEN"), "SERVICE_TOKEN": "the-deployments-own-service-token"}
    command = [str(ROOT / ".venv-rasa/bin/python"), "-m", "actions.server", "--port", str(port)]
    log_path = tmp_path / "actions.log"
    with open(log_path, "w", encoding="utf-8") as log:
        proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        async with httpx.AsyncClient(timeout=5) as http:

            async def health() -> tuple[int | None, int]:
                try:
                    answered: int | None = (await http.get(f"http://127.0.0.1:{port}/health")).status_code
                except httpx.TransportError:
                    answered = None
                return answered, log_path.stat().st_size

            await wait_while_progressing(
                health, lambda seen: seen[0] == 200 or proc.poll() is not None, what="actions"
            )
        assert proc.poll() is None, log_path.read_text(encoding="utf-8")
    finally:
        proc.terminate()
        proc.wait()


def test_rasa_refuses_the_public_gateway_secret(tmp_path: Path) -> None:
    command = [
        str(ROOT / ".venv-rasa/bin/rasa"),
        "run",
        "--credentials",
        "credentials.yml",
        "--endpoints",
        "endpoints.yml",
        "--model",
        "models/current.tar.gz",
        "--interface",
        "127.0.0.1",
        "--port",
        str(free_port()),
    ]
    code, output = _refused(command, _env(tmp_path, public="GATEWAY_SECRET"))

    assert code != 0
    assert "Rasa's gateway channel " + REFUSAL.format(name="GATEWAY_SECRET") in output
