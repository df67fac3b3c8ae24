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
    # One Rasa server, or several separated by commas: any of them may serve any conversation.
    RASA_URL: str = "http://127.0.0.1:5005"
    RASA_TOKEN: str = ""
    # Signs each turn and the customer's identity for Rasa's gateway channel and the actions.
    GATEWAY_SECRET: str = ""
    # Calls to Rasa's HTTP API (pause, resume) give up after this; the hand-back retries at the next turn.
    RASA_TIMEOUT_SECONDS: float = 3.0
    # A bot turn not answered within this is sent again (Rasa answers a repeated turn from its record).
    RASA_TURN_TIMEOUT_SECONDS: float = 60.0
    # Bot turns one API process sends at once, per Rasa server; the rest wait in Redis, in order.
    BOT_TURNS_IN_FLIGHT_PER_RASA: PositiveInt = 4
    # A worker's hold on a conversation it serves, renewed while the bot works; if the process dies, another
    # takes the conversation over this long after.
    BOT_TURN_LEASE_SECONDS: float = 15.0
    # How often each process looks for turns queued by others or due for a retry.
    BOT_TURN_POLL_SECONDS: float = 0.5
    # A turn the bot failed is retried after 1, 2, 4 ... seconds, at most this.
    BOT_TURN_MAX_RETRY_SECONDS: float = 10.0
    # The customer is told the bot is still working on a turn that takes longer than this.
    BOT_SLOW_NOTICE_SECONDS: float = 8.0
    # An HTTP sender waits this long for the bot's replies in the response; they come on the stream anyway.
    BOT_REPLY_WAIT_SECONDS: float = 30.0
    # Pending bot turns and offered button payloads are forgotten this long after their last change.
    BOT_TURN_KEYS_TTL_SECONDS: PositiveInt = 24 * 3600
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

    @property
    def rasa_urls(self) -> list[str]:
        return [url.strip() for url in self.RASA_URL.split(",") if url.strip()]
