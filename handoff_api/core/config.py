"""The handoff service's settings: the only module that reads the environment."""

from pathlib import Path

from pydantic import PositiveInt
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=REPO_ROOT / ".env", extra="ignore")

    REDIS_URL: str = "redis://127.0.0.1:6379/0"
    # Every key this service writes starts with this, so tests and deployments can share one Redis.
    REDIS_KEY_PREFIX: str = "cs:"
    RASA_URL: str = "http://127.0.0.1:5005"
    RASA_TOKEN: str = ""
    # Kept short so a customer waits at most this long for the apology when Rasa is down.
    RASA_TIMEOUT_SECONDS: float = 3.0
    # Shared with the action server (header X-Service-Token); the dev default only suits a laptop.
    SERVICE_TOKEN: str = "dev-service-token"
    # Signs customer and agent tokens; every API process of one deployment must share it.
    SECRET_KEY: str = "dev-secret-key-change-me"
    CUSTOMER_TOKEN_TTL_SECONDS: int = 24 * 3600
    AGENT_TOKEN_TTL_SECONDS: int = 12 * 3600
    # An agent counts as online while their console has called the API within this many seconds.
    AGENT_PRESENCE_TTL_SECONDS: int = 60
    # Every process's dispatcher assigns waiting conversations and ends overdue waits at least this often.
    DISPATCH_TICK_SECONDS: float = 1.0
    # Wake-ups (a new handoff, a free agent) start a round at most this often: under a burst of handoffs one
    # round serves many, instead of a snapshot of every seat per request.
    DISPATCH_MIN_ROUND_SECONDS: float = 0.05
    DATABASE_URL: str = f"sqlite:///{REPO_ROOT / 'var' / 'handoff.db'}"
    # Customer messages allowed per conversation in each window (HTTP and WebSocket together).
    CUSTOMER_MESSAGE_RATE_LIMIT: PositiveInt = 20
    CUSTOMER_MESSAGE_RATE_WINDOW_SECONDS: PositiveInt = 30
    # Larger bodies are refused before parsing; the biggest legitimate one is a handoff transcript.
    MAX_REQUEST_BODY_BYTES: PositiveInt = 1024 * 1024
    LOG_LEVEL: str = "INFO"
    DEMO_CUSTOMERS_PATH: Path = REPO_ROOT / "demo" / "customers.yml"
    ROUTING_CONFIG_PATH: Path = REPO_ROOT / "config" / "routing.yml"
    AGENTS_CONFIG_PATH: Path = REPO_ROOT / "config" / "agents.demo.yml"
