from __future__ import annotations

from pathlib import Path

import pytest
from pydantic.env_settings import read_env_file

from actions.settings import DEFAULTS_ENV, REPO_ROOT, Settings


@pytest.fixture(autouse=True)
def no_settings_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """scripts/test.sh exports every setting; these tests set the ones they are about."""
    for name in Settings.__fields__:
        monkeypatch.delenv(name.upper(), raising=False)


def test_every_default_comes_from_config_defaults_env() -> None:
    listed = read_env_file(DEFAULTS_ENV)

    assert all(field.required for field in Settings.__fields__.values())
    assert set(Settings.__fields__) <= set(listed)


def test_defaults() -> None:
    settings = Settings(_env_file=None)

    assert settings.handoff_api_url == "http://127.0.0.1:8000"
    # The same demo value the handoff service and the scripts use.
    assert settings.service_token == read_env_file(DEFAULTS_ENV)["service_token"]
    assert settings.demo_backend_path == REPO_ROOT / "var" / "demo_backend.json"
    assert settings.http_timeout_seconds == 3.0


def test_the_environment_beats_dot_env_which_beats_the_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dot_env = tmp_path / ".env"
    dot_env.write_text("SERVICE_TOKEN=from-dot-env\nDEMO_OTP_CODE=654321\n", encoding="utf-8")
    monkeypatch.setenv("SERVICE_TOKEN", "from-environment")

    settings = Settings(_env_file=dot_env)

    assert settings.service_token == "from-environment"
    assert settings.demo_otp_code == "654321"
    assert settings.verification_max_attempts == 3


def test_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HANDOFF_API_URL", "http://handoff:9000/")
    monkeypatch.setenv("DEMO_BACKEND_PATH", "/data/demo.json")
    monkeypatch.setenv("DEMO_CUSTOMERS_PATH", "demo/other.yml")

    settings = Settings(_env_file=None)

    assert settings.handoff_api_url == "http://handoff:9000"
    assert settings.demo_backend_path == Path("/data/demo.json")
    assert settings.demo_customers_path == REPO_ROOT / "demo" / "other.yml"


def test_unknown_account_backend_is_refused() -> None:
    with pytest.raises(ValueError, match="account_backend"):
        Settings(_env_file=None, account_backend="mainframe")


def test_timeouts_never_exceed_three_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_TIMEOUT_SECONDS", "30")

    assert Settings(_env_file=None).http_timeout_seconds == 3.0
