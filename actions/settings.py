"""The action server's configuration: the only module that reads the environment."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def _path(value: str) -> Path:
    path = Path(value)
    return path if path.is_absolute() else REPO_ROOT / path


@dataclass(frozen=True)
class Settings:
    handoff_api_url: str = "http://127.0.0.1:8000"
    service_token: str = ""
    demo_backend_path: Path = REPO_ROOT / "var" / "demo_backend.json"
    demo_customers_path: Path = REPO_ROOT / "demo" / "customers.yml"
    http_timeout_seconds: float = 3.0

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        defaults = cls()
        return cls(
            handoff_api_url=environ.get("HANDOFF_API_URL", defaults.handoff_api_url).rstrip("/"),
            service_token=environ.get("SERVICE_TOKEN", defaults.service_token),
            demo_backend_path=_path(environ.get("DEMO_BACKEND_PATH", str(defaults.demo_backend_path))),
            demo_customers_path=_path(environ.get("DEMO_CUSTOMERS_PATH", str(defaults.demo_customers_path))),
            http_timeout_seconds=float(environ.get("HTTP_TIMEOUT_SECONDS", defaults.http_timeout_seconds)),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
