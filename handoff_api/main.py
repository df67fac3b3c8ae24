"""Builds the handoff API. Run with: uvicorn handoff_api.main:create_app --factory"""

import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import aiohttp
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from fastapi.telemetry import TelemetryConfig
from redis.asyncio import Redis

from contract.demo_secrets import DEMO_AGENT_PASSWORD, PublicSecret, refuse_public_secrets
from handoff_api.api.errors import install_error_handlers
from handoff_api.api.middleware import BodySizeLimit, ConversationLogContext, SecurityHeaders
from handoff_api.api.routes import (
    agent,
    auth,
    conversations,
    csat,
    health,
    internal,
    metrics,
    pages,
    sessions,
    supervisor,
    tickets,
    trainer,
)
from handoff_api.clients.rasa import RasaClient
from handoff_api.core.config import Settings
from handoff_api.core.log_config import configure_logging
from handoff_api.core.portal_tokens import PortalTokens
from handoff_api.core.security import PasswordChecks, verify_password
from handoff_api.domain.agents import Agent, load_agents, seat_groups
from handoff_api.domain.assist import load_assist_knowledge
from handoff_api.domain.customers import load_demo_customers
from handoff_api.domain.routing import RoutingConfig, load_routing_config
from handoff_api.domain.ticket_policy import load_ticket_policy
from handoff_api.services.analytics_recorder import AnalyticsRecorder
from handoff_api.services.bot_turns import BotTurnWorker
from handoff_api.services.context import AppContext, Directory, Stores
from handoff_api.services.dispatcher import Dispatcher
from handoff_api.services.reading_writer import ReadingWriter
from handoff_api.sql.db import create_db_engine, upgrade_to_head
from handoff_api.store.bot_turns import BotTurnStore
from handoff_api.store.conversations import ConversationStore
from handoff_api.store.login_failures import LoginFailures
from handoff_api.store.lua_scripts import LuaScripts
from handoff_api.store.messages import MessageStore
from handoff_api.store.presence import Presence
from handoff_api.store.rate_limit import MessageRateLimiter, SessionRateLimiter
from handoff_api.store.redis_client import connect_redis, redis_pool
from handoff_api.store.redis_keys import RedisKeys
from handoff_api.store.revoked_tokens import RevokedTokens
from handoff_api.store.shared_keys import SharedKeys
from handoff_api.store.stats import HandoffStats

logger = logging.getLogger(__name__)

# Metrics are Prometheus (/metrics); FastAPI's built-in OpenTelemetry would otherwise look up the global
# providers on every request.
TELEMETRY: TelemetryConfig = {"tracing": False, "metrics": False, "logs": False, "operation_spans": False}


# The secrets this process holds; outside DEMO_MODE none may be a value published in the repository.
_SECRETS = ("SECRET_KEY", "SERVICE_TOKEN", "RASA_TOKEN", "GATEWAY_SECRET", "METRICS_TOKEN")


def _refuse_public_secrets(settings: Settings) -> None:
    configured = {name: getattr(settings, name) for name in _SECRETS}
    refuse_public_secrets("the handoff API", configured, demo_mode=settings.DEMO_MODE)


def _refuse_demo_passwords(settings: Settings, agents: dict[str, Agent]) -> None:
    """Outside demo mode no agent may log in with the README's demo password (the demo agents file)."""
    if settings.DEMO_MODE:
        return
    published = sorted(
        a.username for a in agents.values() if verify_password(DEMO_AGENT_PASSWORD, a.password_hash)
    )
    if published:
        raise PublicSecret(
            f"the handoff API refuses to start: agents {', '.join(published)} of AGENTS_CONFIG_PATH have the "
            "demo password published in the README. Point AGENTS_CONFIG_PATH at your own agents file, or set "
            "DEMO_MODE=true for a demo on a machine nobody else reaches."
        )


def _stores(
    settings: Settings, redis: Redis, blocking_reads: Redis, routing: RoutingConfig, agents: dict[str, Agent]
) -> Stores:
    keys = RedisKeys(settings.REDIS_KEY_PREFIX)
    return Stores(
        redis=redis,
        conversations=ConversationStore(redis, keys, ttl_seconds=settings.CONVERSATION_TTL_SECONDS),
        bot_turns=BotTurnStore(
            redis,
            keys,
            ttl_seconds=settings.BOT_TURN_KEYS_TTL_SECONDS,
            conversation_ttl_seconds=settings.CONVERSATION_TTL_SECONDS,
        ),
        messages=MessageStore(
            redis, keys, blocking_reads=blocking_reads, ttl_seconds=settings.CONVERSATION_TTL_SECONDS
        ),
        presence=Presence(
            redis,
            keys,
            settings.AGENT_PRESENCE_TTL_SECONDS,
            seat_groups=seat_groups(agents),
            groups=list(routing.groups),
        ),
        rate_limiter=MessageRateLimiter(
            redis,
            keys,
            limit=settings.CUSTOMER_MESSAGE_RATE_LIMIT,
            per_customer_limit=settings.CUSTOMER_MESSAGE_RATE_LIMIT_PER_CUSTOMER,
            window_seconds=settings.CUSTOMER_MESSAGE_RATE_WINDOW_SECONDS,
        ),
        session_limiter=SessionRateLimiter(
            redis,
            keys,
            limit=settings.SESSION_RATE_LIMIT_PER_ADDRESS,
            window_seconds=settings.SESSION_RATE_WINDOW_SECONDS,
        ),
        login_failures=LoginFailures(
            redis,
            keys,
            max_per_username=settings.LOGIN_MAX_FAILURES_PER_USERNAME,
            max_per_address=settings.LOGIN_MAX_FAILURES_PER_ADDRESS,
            lockout_seconds=settings.LOGIN_LOCKOUT_SECONDS,
        ),
        revoked_tokens=RevokedTokens(redis, keys),
        scripts=LuaScripts(redis, keys),
        stats=HandoffStats(redis, keys),
        shared_keys=SharedKeys(
            redis,
            keys,
            groups=list(routing.groups),
            usernames=list(agents),
            ttl_seconds=settings.SHARED_KEYS_TTL_SECONDS,
        ),
    )


def _lifespan(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Configuration first: a bad file should stop start-up before any connection is opened.
        routing = load_routing_config(settings.ROUTING_CONFIG_PATH)
        agents = load_agents(settings.AGENTS_CONFIG_PATH, routing)
        _refuse_demo_passwords(settings, agents)
        customers = load_demo_customers(settings.DEMO_CUSTOMERS_PATH)
        ticket_policy = load_ticket_policy(settings.ROUTING_CONFIG_PATH)
        assist = load_assist_knowledge(settings.ASSIST_KNOWLEDGE_PATH)
        portal = PortalTokens(settings)
        redis = await connect_redis(settings.REDIS_URL)
        blocking_reads = Redis.from_pool(redis_pool(settings.REDIS_URL, blocking_reads=True))
        engine = create_db_engine(settings.DATABASE_URL)
        # Each process migrates at start-up (serialised by a lock in db.py): no deploy step to forget.
        upgrade_to_head(engine)
        timeout = aiohttp.ClientTimeout(total=settings.RASA_TIMEOUT_SECONDS)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            app.state.context = AppContext(
                settings=settings,
                directory=Directory(
                    routing=routing,
                    tickets=ticket_policy,
                    agents=agents,
                    customers=customers,
                    assist=assist,
                ),
                stores=_stores(settings, redis, blocking_reads, routing, agents),
                engine=engine,
                reading_writer=ReadingWriter(engine),
                rasa=RasaClient(
                    http,
                    urls=settings.rasa_urls,
                    token=settings.RASA_TOKEN,
                    gateway_secret=settings.GATEWAY_SECRET,
                    turn_timeout_seconds=settings.RASA_TURN_TIMEOUT_SECONDS,
                ),
                passwords=PasswordChecks(settings.PASSWORD_HASH_THREADS),
                portal=portal,
            )
            logger.info(
                "handoff API ready: %d agents, demo mode %s, portal sign-in %s",
                len(agents),
                "on" if settings.DEMO_MODE else "off",
                "configured" if portal.configured else "not configured",
            )
            app.state.dispatcher = Dispatcher(
                app.state.context,
                tick_seconds=settings.DISPATCH_TICK_SECONDS,
                min_round_seconds=settings.DISPATCH_MIN_ROUND_SECONDS,
            )
            app.state.bot_turn_worker = bot_turn_worker = BotTurnWorker(
                app.state.context,
                concurrency=settings.BOT_TURNS_IN_FLIGHT_PER_RASA * len(settings.rasa_urls),
                lease_seconds=settings.BOT_TURN_LEASE_SECONDS,
                poll_seconds=settings.BOT_TURN_POLL_SECONDS,
                max_retry_seconds=settings.BOT_TURN_MAX_RETRY_SECONDS,
                slow_notice_seconds=settings.BOT_SLOW_NOTICE_SECONDS,
            )
            shared_keys = app.state.context.stores.shared_keys
            try:
                async with (
                    # First in, last out: the bot turn worker's last readings are written before it stops.
                    app.state.context.reading_writer.running(),
                    app.state.dispatcher.running(),
                    bot_turn_worker.running(),
                    shared_keys.refreshing(settings.SHARED_KEYS_REFRESH_SECONDS),
                    AnalyticsRecorder(app.state.context).running(),
                ):
                    yield
            finally:
                await blocking_reads.aclose()
                await redis.aclose()
                engine.dispose()

    return lifespan


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    # Before anything else: a process on public secrets must not start at all.
    _refuse_public_secrets(settings)
    configure_logging(settings.LOG_LEVEL)
    # No trailing-slash redirects: Starlette builds their Location from the request's Host header.
    app = FastAPI(
        title="智能客服 handoff API",
        lifespan=_lifespan(settings),
        telemetry=TELEMETRY,
        redirect_slashes=False,
    )
    install_error_handlers(app)
    # Routes are matched in this order: the busiest (handoff requests, customer messages) first.
    for module in (
        internal,
        conversations,
        health,
        sessions,
        csat,
        auth,
        agent,
        tickets,
        pages,
        supervisor,
        trainer,
    ):
        app.include_router(module.router)
    if settings.DEMO_MODE:
        app.include_router(sessions.demo_router)
    app.include_router(metrics.router)
    app.add_middleware(ConversationLogContext)
    app.add_middleware(BodySizeLimit, max_bytes=settings.MAX_REQUEST_BODY_BYTES)
    app.add_middleware(SecurityHeaders)  # outermost: on every response, the body limit's 413 included
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app
