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
    # Shared with the handoff API, to check the customer identity it signs into every message
    # (contract/identity.py).
    gateway_secret: str = ""
    # Rasa proves itself to the action server with this bearer token (actions/server.py).
    action_server_token: str = ""
    # Where verified identities are recorded (actions/verified_identities.py), beside Rasa's trackers.
    redis_url: str = "redis://127.0.0.1:6379/0"
    redis_key_prefix: str = "cs"
    # "demo" (JSON file seeded from demo/customers.yml) or "http" (the core system at core_backend_url).
    account_backend: str = "demo"
    core_backend_url: str = "http://127.0.0.1:8100"
    core_backend_token: str = ""
    demo_backend_path: Path = REPO_ROOT / "var" / "demo_backend.json"
    demo_customers_path: Path = REPO_ROOT / "demo" / "customers.yml"
    # The demo back-end's one-time code; the bot shows it to demo users (never with the http back-end).
    demo_otp_code: str = "123456"
    # Every outgoing call (core system, handoff API) gives up after this; the customer gets an apology.
    http_timeout_seconds: float = 3.0
    # A verified identity is trusted for this long, then card services ask again.
    verification_ttl_seconds: float = 600.0
    verification_max_attempts: int = 3

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> Settings:
        defaults = cls()
        backend = environ.get("ACCOUNT_BACKEND", defaults.account_backend)
        if backend not in ("demo", "http"):
            raise ValueError(f"ACCOUNT_BACKEND must be 'demo' or 'http', not {backend!r}")
        return cls(
            handoff_api_url=environ.get("HANDOFF_API_URL", defaults.handoff_api_url).rstrip("/"),
            service_token=environ.get("SERVICE_TOKEN", defaults.service_token),
            gateway_secret=environ.get("GATEWAY_SECRET", defaults.gateway_secret),
            action_server_token=environ.get("ACTION_SERVER_TOKEN", defaults.action_server_token),
            redis_url=environ.get("REDIS_URL", defaults.redis_url),
            redis_key_prefix=environ.get("RASA_REDIS_PREFIX", defaults.redis_key_prefix),
            account_backend=backend,
            core_backend_url=environ.get("CORE_BACKEND_URL", defaults.core_backend_url).rstrip("/"),
            core_backend_token=environ.get("CORE_BACKEND_TOKEN", defaults.core_backend_token),
            demo_backend_path=_path(environ.get("DEMO_BACKEND_PATH", str(defaults.demo_backend_path))),
            demo_customers_path=_path(environ.get("DEMO_CUSTOMERS_PATH", str(defaults.demo_customers_path))),
            demo_otp_code=environ.get("DEMO_OTP_CODE", defaults.demo_otp_code),
            http_timeout_seconds=min(
                float(environ.get("HTTP_TIMEOUT_SECONDS", defaults.http_timeout_seconds)), 3.0
            ),
            verification_ttl_seconds=float(
                environ.get("VERIFICATION_TTL_SECONDS", defaults.verification_ttl_seconds)
            ),
            verification_max_attempts=int(
                environ.get("VERIFICATION_MAX_ATTEMPTS", defaults.verification_max_attempts)
            ),
        )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
