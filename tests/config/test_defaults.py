"""config/defaults.env is the one list of defaults: the scripts and both services read it."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest
from dotenv import dotenv_values

from handoff_api.core.config import DEFAULTS_ENV, REPO_ROOT, Settings

DEFAULTS = dotenv_values(DEFAULTS_ENV)


def test_every_handoff_setting_has_its_default_there_and_only_there() -> None:
    assert all(field.is_required() for field in Settings.model_fields.values())
    assert set(Settings.model_fields) <= set(DEFAULTS)


def test_every_default_is_read_by_a_service_or_a_script() -> None:
    readers = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [
            *REPO_ROOT.glob("scripts/*.sh"),
            REPO_ROOT / "endpoints.yml",
            REPO_ROOT / "actions/settings.py",
        ]
    )
    unread = [
        name
        for name in DEFAULTS
        if name not in Settings.model_fields and not re.search(rf"\b({name}|{name.lower()})\b", readers)
    ]
    assert unread == []


def test_the_handoff_service_reads_the_defaults_without_a_dot_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name, raising=False)

    settings = Settings(_env_file=None)

    assert settings.SERVICE_TOKEN == DEFAULTS["SERVICE_TOKEN"]
    assert settings.DATABASE_URL == f"sqlite:///{REPO_ROOT / 'var' / 'handoff.db'}"
    assert settings.ROUTING_CONFIG_PATH == REPO_ROOT / "config" / "routing.yml"


def _script_settings(env: dict[str, str], *files: Path) -> dict[str, str]:
    """The environment after scripts/lib.sh and load_settings of each file, as the scripts see it."""
    script = 'source scripts/lib.sh; for file in "$@"; do load_settings "$file"; done; env -0'
    result = subprocess.run(
        ["bash", "-c", script, "lib", *map(str, files)],
        cwd=REPO_ROOT,
        env={"PATH": os.environ["PATH"], **env},
        capture_output=True,
        check=True,
    )
    return dict(entry.split("=", 1) for entry in result.stdout.decode().split("\0") if "=" in entry)


def test_scripts_the_environment_beats_dot_env_which_beats_the_defaults(tmp_path: Path) -> None:
    dot_env = tmp_path / "dot.env"
    dot_env.write_text("T_PORT=7000\nT_HOST=from-dot-env\n", encoding="utf-8")
    defaults = tmp_path / "defaults.env"
    defaults.write_text(
        "# a comment\n\nT_HOST=127.0.0.1\nT_PORT=5005\nT_PATH=/x\nT_URL=http://${T_HOST}:${T_PORT}${T_PATH}\n",
        encoding="utf-8",
    )

    seen = _script_settings({"T_HOST": "from-env"}, dot_env, defaults)

    assert (seen["T_HOST"], seen["T_PORT"], seen["T_PATH"]) == ("from-env", "7000", "/x")
    # A value built from others uses their final values.
    assert seen["T_URL"] == "http://from-env:7000/x"


def test_scripts_derive_the_urls_from_the_ports_and_leave_redis_to_ensure_redis() -> None:
    seen = _script_settings({"RASA_PORT": "7005", "VAR_DIR": "/tmp/elsewhere"})

    assert seen["RASA_URL"] == "http://127.0.0.1:7005"
    assert seen["DATABASE_URL"] == "sqlite:////tmp/elsewhere/handoff.db"
    assert seen["SERVICE_TOKEN"] == DEFAULTS["SERVICE_TOKEN"]
    assert "REDIS_URL" not in seen
