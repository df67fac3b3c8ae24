"""No service runs on the repository's public secrets outside demo mode, and run.sh generates its own."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from contract.demo_secrets import SECRET_NAMES, PublicSecret, ensure, public_values, refuse_public_secrets
from handoff_api.core.config import DEFAULTS_ENV, REPO_ROOT, Settings
from handoff_api.main import create_app

DEFAULTS = dotenv_values(DEFAULTS_ENV)
PRIVATE = {name: f"private-{name.lower()}-value-of-this-deployment" for name in SECRET_NAMES}


def test_every_secret_has_a_public_demo_value_and_demo_mode_is_off_by_default() -> None:
    assert all(DEFAULTS[name] for name in SECRET_NAMES)
    assert public_values() == {DEFAULTS[name] for name in SECRET_NAMES}
    assert Settings(_env_file=None).DEMO_MODE is False


@pytest.mark.parametrize("name", ["SECRET_KEY", "SERVICE_TOKEN", "RASA_TOKEN", "GATEWAY_SECRET"])
def test_the_api_refuses_any_public_secret_outside_demo_mode(name: str) -> None:
    public = Settings(_env_file=None, **{**PRIVATE, name: DEFAULTS[name]}, DEMO_MODE=False)
    private = Settings(_env_file=None, **PRIVATE, DEMO_MODE=False)

    with pytest.raises(PublicSecret, match=rf"refuses to start: {name} is empty or the public value"):
        create_app(public)
    create_app(private)  # builds: only starting the lifespan connects to anything


def test_another_secrets_public_value_or_an_empty_one_is_refused_too() -> None:
    with pytest.raises(PublicSecret, match="SECRET_KEY, SERVICE_TOKEN are"):
        refuse_public_secrets(
            "x",
            {"SECRET_KEY": "", "SERVICE_TOKEN": DEFAULTS["RASA_TOKEN"], "RASA_TOKEN": "own"},
            demo_mode=False,
        )


def test_demo_mode_accepts_the_public_secrets() -> None:
    create_app(Settings(_env_file=None, DEMO_MODE=True))


def test_ensure_generates_private_secrets_once_into_a_private_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in SECRET_NAMES:
        monkeypatch.setenv(name, DEFAULTS[name])
    monkeypatch.setenv("SECRET_KEY", "set-by-the-bank-in-its-environment")
    path = tmp_path / "var" / "secrets.env"

    first = ensure(path)
    second = ensure(path)

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert first == second  # generated once, then read back
    assert set(first) == set(SECRET_NAMES) - {"SECRET_KEY"}  # the environment's own secret is kept
    assert len(set(first.values())) == len(first) and not set(first.values()) & public_values()
    assert all(len(value) >= 32 for value in first.values())


def test_run_sh_exports_the_generated_secrets(tmp_path: Path) -> None:
    """What scripts/run.sh does with them: the same lines, through its shell."""
    script = 'source scripts/lib.sh; eval "$("$PYTHON" -m contract.demo_secrets ensure "$1")"; env -0'
    env = {"PATH": os.environ["PATH"], "SERVICE_TOKEN": "from-the-environment"}
    path = tmp_path / "secrets.env"
    result = subprocess.run(
        ["bash", "-c", script, "run", str(path)], cwd=REPO_ROOT, env=env, capture_output=True, check=True
    )
    seen = dict(entry.split("=", 1) for entry in result.stdout.decode().split("\0") if "=" in entry)
    generated = dotenv_values(path)

    assert seen["SERVICE_TOKEN"] == "from-the-environment"
    assert seen["SECRET_KEY"] == generated["SECRET_KEY"] != DEFAULTS["SECRET_KEY"]
    assert seen["RASA_TOKEN"] == generated["RASA_TOKEN"] != DEFAULTS["RASA_TOKEN"]


@pytest.mark.parametrize(("environment", "expected"), [({}, "true"), ({"DEMO_MODE": "false"}, "false")])
def test_run_sh_is_in_demo_mode_unless_the_environment_says_otherwise(
    environment: dict[str, str], expected: str
) -> None:
    """run.sh's own default (SCRIPT_DEFAULTS) beats config/defaults.env, not the environment."""
    script = 'SCRIPT_DEFAULTS="DEMO_MODE=true"; source scripts/lib.sh; printf %s "$DEMO_MODE"'
    env = {"PATH": os.environ["PATH"], **environment}
    result = subprocess.run(["bash", "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, check=True)

    assert result.stdout.decode() == expected
    assert DEFAULTS["DEMO_MODE"] == "false"
    assert 'SCRIPT_DEFAULTS="DEMO_MODE=true"' in (REPO_ROOT / "scripts" / "run.sh").read_text(
        encoding="utf-8"
    )
