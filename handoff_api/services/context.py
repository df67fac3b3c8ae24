"""Everything a request needs, built once in the app's lifespan and shared by all requests.

Services reach Redis only through `stores`, and read the start-up configuration through `directory`.
"""

import asyncio
from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy import Engine

from handoff_api.clients.rasa import RasaClient
from handoff_api.core.config import Settings
from handoff_api.core.portal_tokens import PortalTokens
from handoff_api.core.security import PasswordChecks
from handoff_api.domain.agents import Agent
from handoff_api.domain.assist import AssistKnowledge
from handoff_api.domain.customers import DemoCustomer
from handoff_api.domain.routing import RoutingConfig
from handoff_api.domain.ticket_policy import TicketPolicy
from handoff_api.services.reading_writer import ReadingWriter
from handoff_api.services.turn_waiters import TurnWaiters
from handoff_api.store.bot_turns import BotTurnStore
from handoff_api.store.conversations import ConversationStore
from handoff_api.store.login_failures import LoginFailures
from handoff_api.store.lua_scripts import LuaScripts
from handoff_api.store.messages import MessageStore
from handoff_api.store.presence import Presence
from handoff_api.store.rate_limit import MessageRateLimiter, SessionRateLimiter
from handoff_api.store.revoked_tokens import RevokedTokens
from handoff_api.store.shared_keys import SharedKeys
from handoff_api.store.stats import HandoffStats


@dataclass(frozen=True)
class Directory:
    """The configuration files, validated at start-up and never changed while the process runs."""

    routing: RoutingConfig
    tickets: TicketPolicy
    agents: dict[str, Agent]
    customers: dict[str, DemoCustomer]
    assist: AssistKnowledge


@dataclass(frozen=True)
class Stores:
    """The shared state in Redis, one store per concept; every owner change goes through `scripts`."""

    redis: Redis
    conversations: ConversationStore
    bot_turns: BotTurnStore
    messages: MessageStore
    presence: Presence
    rate_limiter: MessageRateLimiter
    session_limiter: SessionRateLimiter
    login_failures: LoginFailures
    revoked_tokens: RevokedTokens
    scripts: LuaScripts
    stats: HandoffStats
    shared_keys: SharedKeys

    async def ping(self) -> None:
        await self.redis.ping()


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    directory: Directory
    stores: Stores
    engine: Engine
    reading_writer: ReadingWriter  # the bot's readings and the inbox's handoff marks go through it
    rasa: RasaClient
    passwords: PasswordChecks
    portal: PortalTokens
    # Set to make this process's dispatcher run a round now rather than at its next tick (dispatcher.py).
    dispatch_requested: asyncio.Event = field(default_factory=asyncio.Event)
    turn_waiters: TurnWaiters = field(default_factory=TurnWaiters)
