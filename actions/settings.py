"""The action server's settings: the only module that reads the environment.

What each setting means, and its default, is in config/defaults.env, the one list shared with the scripts
and the handoff service. The environment beats `.env` at the repo root, which beats the defaults.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseSettings, Field, validator
from pydantic.env_settings import SettingsSourceCallable, read_env_file

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULTS_ENV = REPO_ROOT / "config" / "defaults.env"
# Every outgoing call gives up after at most this, whatever is configured: the customer waits for it.
MAX_HTTP_TIMEOUT_SECONDS = 3.0


def _defaults(settings: BaseSettings) -> dict[str, Any]:
    """config/defaults.env, read under each field's environment names, as the environment is."""
    values = read_env_file(DEFAULTS_ENV)  # names lower-cased, as the fields' environment names are
    return {
        field.alias: values[name]
        for field in settings.__fields__.values()
        for name in field.field_info.extra["env_names"]
        if name in values
    }


class Settings(BaseSettings):
    demo_mode: bool
    handoff_api_url: str
    service_token: str
    gateway_secret: str
    action_server_token: str
    redis_url: str
    redis_key_prefix: str = Field(env="RASA_REDIS_PREFIX")
    account_backend: Literal["demo", "http"]
    core_backend_url: str
    core_backend_token: str
    demo_backend_path: Path
    demo_customers_path: Path
    demo_otp_code: str
    http_timeout_seconds: float
    verification_ttl_seconds: float
    verification_max_attempts: int

    class Config:
        env_file = REPO_ROOT / ".env"
        frozen = True

        @classmethod
        def customise_sources(
            cls,
            init_settings: SettingsSourceCallable,
            env_settings: SettingsSourceCallable,
            file_secret_settings: SettingsSourceCallable,
        ) -> tuple[SettingsSourceCallable, ...]:
            # A source of its own, so `_env_file=None` (ignoring the .env) still leaves the defaults.
            return init_settings, env_settings, file_secret_settings, _defaults

    @validator("handoff_api_url", "core_backend_url")
    def _without_trailing_slash(cls, url: str) -> str:
        return url.rstrip("/")

    @validator("demo_backend_path", "demo_customers_path")
    def _relative_to_repo_root(cls, path: Path) -> Path:
        return path if path.is_absolute() else REPO_ROOT / path

    @validator("http_timeout_seconds")
    def _at_most_the_maximum(cls, seconds: float) -> float:
        return min(seconds, MAX_HTTP_TIMEOUT_SECONDS)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
