"""The handoff service's settings: the only module that reads the environment.

What each setting means, and its default, is in config/defaults.env, the one list shared with the scripts
and the action server. The environment beats `.env` at the repo root, which beats the defaults.
"""

from pathlib import Path

from pydantic import NonNegativeInt, PositiveInt, field_validator
from pydantic_settings import (
    BaseSettings,
    DotEnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)
from sqlalchemy.engine import make_url

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULTS_ENV = REPO_ROOT / "config" / "defaults.env"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=REPO_ROOT / ".env", extra="ignore")

    DEMO_MODE: bool
    REDIS_URL: str
    REDIS_KEY_PREFIX: str
    RASA_URL: str
    RASA_TOKEN: str
    GATEWAY_SECRET: str
    RASA_TIMEOUT_SECONDS: float
    RASA_TURN_TIMEOUT_SECONDS: float
    BOT_TURNS_IN_FLIGHT_PER_RASA: PositiveInt
    BOT_TURN_LEASE_SECONDS: float
    BOT_TURN_POLL_SECONDS: float
    BOT_TURN_MAX_RETRY_SECONDS: float
    BOT_SLOW_NOTICE_SECONDS: float
    BOT_REPLY_WAIT_SECONDS: float
    BOT_TURN_KEYS_TTL_SECONDS: PositiveInt
    CONVERSATION_TTL_SECONDS: PositiveInt
    CLOSED_CONVERSATION_TTL_SECONDS: PositiveInt
    SHARED_KEYS_TTL_SECONDS: PositiveInt
    SHARED_KEYS_REFRESH_SECONDS: float
    SERVICE_TOKEN: str
    SECRET_KEY: str
    METRICS_TOKEN: str
    CUSTOMER_TOKEN_TTL_SECONDS: int
    AGENT_TOKEN_TTL_SECONDS: int
    LOGIN_MAX_FAILURES_PER_USERNAME: PositiveInt
    LOGIN_MAX_FAILURES_PER_ADDRESS: PositiveInt
    LOGIN_LOCKOUT_SECONDS: PositiveInt
    PASSWORD_HASH_THREADS: PositiveInt
    SESSION_RATE_LIMIT_PER_ADDRESS: PositiveInt
    SESSION_RATE_WINDOW_SECONDS: PositiveInt
    AGENT_PRESENCE_TTL_SECONDS: int
    DISPATCH_TICK_SECONDS: float
    DISPATCH_MIN_ROUND_SECONDS: float
    DATABASE_URL: str
    CUSTOMER_MESSAGE_RATE_LIMIT: PositiveInt
    CUSTOMER_MESSAGE_RATE_WINDOW_SECONDS: PositiveInt
    CUSTOMER_MESSAGE_RATE_LIMIT_PER_CUSTOMER: PositiveInt
    PORTAL_PUBLIC_KEY_PATH: str
    PORTAL_JWKS_PATH: str
    PORTAL_JWT_ISSUER: str
    PORTAL_JWT_AUDIENCE: str
    PORTAL_JWT_ALGORITHMS: str
    PORTAL_JWT_LEEWAY_SECONDS: NonNegativeInt
    MAX_REQUEST_BODY_BYTES: PositiveInt
    WS_AUTH_TIMEOUT_SECONDS: float
    WS_MAX_FRAME_CHARS: PositiveInt
    LOG_LEVEL: str
    DEMO_CUSTOMERS_PATH: Path
    ROUTING_CONFIG_PATH: Path
    AGENTS_CONFIG_PATH: Path
    NLU_INBOX_CONFIDENCE_BELOW: float
    NLU_INBOX_MARGIN: float
    NLU_INBOX_HANDOFF_TURNS: PositiveInt
    NLU_INBOX_PAGE_LIMIT: PositiveInt
    ASSIST_KNOWLEDGE_PATH: Path

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # A source of its own, so `_env_file=None` (ignore the developer's .env) still leaves the defaults.
        defaults = DotEnvSettingsSource(settings_cls, env_file=DEFAULTS_ENV)
        return init_settings, env_settings, dotenv_settings, file_secret_settings, defaults

    @field_validator(
        "DEMO_CUSTOMERS_PATH", "ROUTING_CONFIG_PATH", "AGENTS_CONFIG_PATH", "ASSIST_KNOWLEDGE_PATH"
    )
    @classmethod
    def _relative_to_repo_root(cls, path: Path) -> Path:
        return path if path.is_absolute() else REPO_ROOT / path

    @field_validator("PORTAL_PUBLIC_KEY_PATH", "PORTAL_JWKS_PATH")
    @classmethod
    def _optional_path_relative_to_repo_root(cls, path: str) -> str:
        return str(REPO_ROOT / path) if path and not Path(path).is_absolute() else path

    @field_validator("DATABASE_URL")
    @classmethod
    def _sqlite_file_relative_to_repo_root(cls, url: str) -> str:
        parsed = make_url(url)
        database = parsed.database
        if parsed.get_backend_name() != "sqlite" or not database or database == ":memory:":
            return url
        if Path(database).is_absolute():
            return url
        return parsed.set(database=str(REPO_ROOT / database)).render_as_string(hide_password=False)

    @property
    def portal_algorithms(self) -> list[str]:
        return [name.strip() for name in self.PORTAL_JWT_ALGORITHMS.split(",") if name.strip()]

    @property
    def rasa_urls(self) -> list[str]:
        return [url.strip() for url in self.RASA_URL.split(",") if url.strip()]
