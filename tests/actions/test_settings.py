from __future__ import annotations

from pathlib import Path

from actions.settings import REPO_ROOT, Settings


def test_defaults() -> None:
    settings = Settings.from_env({})

    assert settings.handoff_api_url == "http://127.0.0.1:8000"
    assert settings.service_token == ""
    assert settings.demo_backend_path == REPO_ROOT / "var" / "demo_backend.json"
    assert settings.http_timeout_seconds == 3.0


def test_from_environment() -> None:
    settings = Settings.from_env(
        {
            "HANDOFF_API_URL": "http://handoff:9000/",
            "SERVICE_TOKEN": "s3cret",
            "DEMO_BACKEND_PATH": "/data/demo.json",
        }
    )

    assert settings.handoff_api_url == "http://handoff:9000"
    assert settings.service_token == "s3cret"
    assert settings.demo_backend_path == Path("/data/demo.json")
