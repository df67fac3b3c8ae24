"""The demo agents' presence and load, set for each conversation that needs agents and reset after it.

Presence and seats live in the handoff service and outlast a conversation, so every conversation that uses
agents starts from the same place: every agent offline with no chat, then only the agents of its set-up
online. A `busy` agent is online with every seat taken by other customers' chats, requested as the action
server requests a handoff, so that a conversation can wait in a queue (for the wait_timeout and cancelled
endings, and honest wait estimates).

Closing those chats at a reset (and the quick closes inside conversations) would teach the wait estimate a
handling time of a second or two, which no real agent has; so every reset also puts the groups' pace and
handling-time figures back as they were before the first conversation.
"""

from __future__ import annotations

import asyncio

from tests.integration.conversation_suite.schema import Setup
from tests.integration.conversation_suite.system_api import SuiteApi
from tests.integration.conversation_suite.vocabulary import vocabulary

SEAT_FILL_TIMEOUT_S = 30
# A customer and a topic that config/routing.yml sends to each group: (customer, tier, intent).
FILLER_BY_GROUP = {
    "general": ("C1001", "standard", "request_human"),
    "vip": ("C1003", "platinum", "request_human"),
    "risk": ("C1001", "standard", "report_lost_card"),
    "complaints": ("C1001", "standard", "complain"),
}
RESET_WRAP_UP = "conversation_suite_reset"


class AgentPool:
    def __init__(self, api: SuiteApi) -> None:
        self._api = api
        self._online: set[str] = set()
        self._stats_before: dict[str, dict[str, str]] | None = None

    async def reset(self) -> None:
        """Every agent offline, with none of their chats left open (closed as an agent would), and the
        groups' figures as before the first conversation."""
        if self._stats_before is None:
            self._stats_before = await self._api.group_stats()
        for username in sorted(vocabulary().agents):
            for conversation_id in await self._api.agent_conversation_ids(username):
                closed = await self._api.agent_call(
                    username, "POST", f"/conversations/{conversation_id}/close", {"wrap_up": RESET_WRAP_UP}
                )
                closed.raise_for_status()
            await self._api.set_presence(username, "offline")
        await self._api.set_group_stats(self._stats_before)
        self._online.clear()

    async def prepare(self, setup: Setup) -> None:
        await self.reset()
        for username in setup.busy:
            await self._fill_seats(username)
        for username in setup.online:
            await self.set_presence(username, "online")

    async def set_presence(self, username: str, presence: str) -> None:
        await self._api.set_presence(username, presence)
        if presence == "online":
            self._online.add(username)
        else:
            self._online.discard(username)

    async def keep_online(self) -> None:
        """Presence expires when a console stops calling; this stands for the open consoles."""
        for username in self._online:
            await self._api.set_presence(username, "online")

    async def _fill_seats(self, username: str) -> None:
        me = (await self._api.agent_call(username, "GET", "/me")).json()
        customer_id, tier, intent = FILLER_BY_GROUP[me["groups"][0]]
        await self.set_presence(username, "online")
        for _ in range(me["capacity"]):
            session = await self._api.start_session(customer_id)
            await self._api.request_handoff(session, customer_id=customer_id, tier=tier, intent=intent)
        async with asyncio.timeout(SEAT_FILL_TIMEOUT_S):
            while len(await self._api.agent_conversation_ids(username)) < me["capacity"]:
                await asyncio.sleep(0.2)
