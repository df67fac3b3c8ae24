"""Everything a request needs, built once in the app's lifespan and shared by all requests."""

import asyncio
from dataclasses import dataclass, field

from redis.asyncio import Redis
from sqlalchemy import Engine

from handoff_api.agents import Agent
from handoff_api.conversations import ConversationStore
from handoff_api.core.config import Settings
from handoff_api.customers import DemoCustomer
from handoff_api.lua_scripts import LuaScripts
from handoff_api.messages import MessageStore
from handoff_api.presence import Presence
from handoff_api.rasa_client import RasaClient
from handoff_api.rate_limit import MessageRateLimiter
from handoff_api.routing import RoutingConfig
from handoff_api.ticket_policy import TicketPolicy


@dataclass(frozen=True)
class AppContext:
    settings: Settings
    redis: Redis
    engine: Engine
    routing: RoutingConfig
    tickets: TicketPolicy
    agents: dict[str, Agent]
    customers: dict[str, DemoCustomer]
    conversations: ConversationStore
    scripts: LuaScripts
    messages: MessageStore
    presence: Presence
    rate_limiter: MessageRateLimiter
    rasa: RasaClient
    # Set to make this process's dispatcher run a round now rather than at its next tick (dispatcher.py).
    dispatch_requested: asyncio.Event = field(default_factory=asyncio.Event)
