"""Every call the conversation suite makes to the running system: the gateway API as the web chat and the
agent console use it, and the read-outs its expectations need (Rasa tracker, handoff outcome log, tickets,
CSAT records)."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

import httpx
from redis.asyncio import Redis
from sqlalchemy import create_engine, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session as DbSession

from handoff_api.sql.models import ClosedConversation
from handoff_api.store.redis_keys import RedisKeys
from tests.integration.conversation_suite.vocabulary import vocabulary
from tests.integration.system import RunningSystem, rasa_tracker
from tests.integration.test_skeleton_flow import Headers, Session, login, start_session

# Above the gateway's BOT_REPLY_WAIT_SECONDS (30 s), so a POST that waits for the bot that long still returns.
REQUEST_TIMEOUT_S = 60


@dataclass(frozen=True)
class Outcome:
    """One handoff ending from the handoff service's outcome log."""

    outcome: str
    group: str
    agent: str


class SuiteApi:
    def __init__(self, system: RunningSystem, http: httpx.AsyncClient, redis: Redis, db: Engine) -> None:
        self.system = system
        self.http = http
        self._redis = redis
        self._db = db
        self._keys = RedisKeys(system.key_prefix)
        self._agent_headers: dict[str, Headers] = {}

    @classmethod
    def open(cls, system: RunningSystem) -> SuiteApi:
        return cls(
            system,
            httpx.AsyncClient(base_url=system.api_url, timeout=REQUEST_TIMEOUT_S),
            Redis.from_url(system.redis_url, decode_responses=True),
            create_engine(f"sqlite:///{system.var_dir / 'handoff.db'}"),
        )

    async def close(self) -> None:
        await self.http.aclose()
        await self._redis.aclose()
        self._db.dispose()

    # ---- the customer's side (web chat)
    async def start_session(self, customer_id: str) -> Session:
        return await start_session(self.http, customer_id)

    async def post_message(self, session: Session, text: str, payload: str | None = None) -> dict:
        """`{"messages": [...], "bot_reply_pending": bool}` (docs/contract.md, customer message path)."""
        body: dict[str, Any] = {"text": text, **({"payload": payload} if payload else {})}
        response = await self.http.post(f"{session.path}/messages", json=body, headers=session.headers)
        response.raise_for_status()
        return response.json()

    async def messages_after(self, session: Session, last_id: str) -> list[dict]:
        response = await self.http.get(
            f"{session.path}/messages", params={"last_id": last_id}, headers=session.headers
        )
        response.raise_for_status()
        return response.json()["messages"]

    async def status(self, session: Session) -> dict:
        response = await self.http.get(session.path, headers=session.headers)
        response.raise_for_status()
        return response.json()

    async def leave_queue(self, session: Session) -> httpx.Response:
        return await self.http.post(f"{session.path}/cancel", headers=session.headers)

    async def rate_on_page(self, session: Session, score: int, comment: str) -> httpx.Response:
        return await self.http.post(
            f"{session.path}/csat", json={"score": score, "comment": comment}, headers=session.headers
        )

    # ---- agents (console)
    async def agent(self, username: str) -> Headers:
        """The agent's token headers; the first call logs in (which sets them online)."""
        if username not in self._agent_headers:
            self._agent_headers[username] = await login(self.http, username)
        return self._agent_headers[username]

    async def agent_call(
        self, username: str, method: str, path: str, body: dict | None = None
    ) -> httpx.Response:
        return await self.http.request(
            method, f"/api/agent{path}", json=body, headers=await self.agent(username)
        )

    async def set_presence(self, username: str, presence: str) -> None:
        response = await self.agent_call(username, "PUT", "/presence", {"status": presence})
        response.raise_for_status()

    async def agent_conversation_ids(self, username: str) -> list[str]:
        response = await self.agent_call(username, "GET", "/conversations")
        response.raise_for_status()
        return [line["conversation_id"] for line in response.json()]

    async def packet(self, conversation_id: str) -> dict | None:
        """The handoff packet as an agent sees it (read with the supervisor's token, who reads any)."""
        response = await self.agent_call("supervisor", "GET", f"/conversations/{conversation_id}")
        response.raise_for_status()
        return response.json()["packet"]

    # ---- back-stage read-outs
    async def tracker(self, conversation_id: str) -> dict:
        return await asyncio.to_thread(rasa_tracker, self.system, conversation_id)

    async def tickets(self, customer_id: str, conversation_id: str) -> list[dict]:
        """The conversation's tickets, oldest first (the customer's conversations run one at a time)."""
        response = await self.http.get(
            f"/api/internal/customers/{customer_id}/tickets",
            params={"limit": 50},
            headers={"X-Service-Token": self.system.service_token},
        )
        response.raise_for_status()
        return [t for t in reversed(response.json()) if t["conversation_id"] == conversation_id]

    async def pending_bot_turns(self, conversation_id: str) -> list[str]:
        """Ids of the messages whose bot turn is still waiting or running (the bot's inbox)."""
        turns = await self._redis.lrange(self._keys.bot_turns(conversation_id), 0, -1)
        return [json.loads(turn)["message_id"] for turn in turns]

    async def group_stats(self) -> dict[str, dict[str, str]]:
        """Every seat group's pace and handling-time figures (the wait estimate's input)."""
        return {
            group: await self._redis.hgetall(self._keys.group_stats(group)) for group in vocabulary().groups
        }

    async def set_group_stats(self, stats: dict[str, dict[str, str]]) -> None:
        for group, fields in stats.items():
            key = self._keys.group_stats(group)
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.delete(key)
                if fields:
                    pipe.hset(key, mapping=fields)
                await pipe.execute()

    async def outcomes(self, conversation_id: str) -> list[Outcome]:
        entries = await self._redis.xrange(self._keys.outcome_log())
        return [
            Outcome(fields["outcome"], fields.get("group", ""), fields.get("agent", ""))
            for _, fields in entries
            if fields.get("conversation_id") == conversation_id
        ]

    async def csat(self, conversation_id: str) -> ClosedConversation | None:
        def latest() -> ClosedConversation | None:
            with DbSession(self._db) as db:
                return db.scalars(
                    select(ClosedConversation)
                    .where(ClosedConversation.conversation_id == conversation_id)
                    .order_by(ClosedConversation.id.desc())
                    .limit(1)
                ).first()

        return await asyncio.to_thread(latest)

    async def request_handoff(self, session: Session, *, customer_id: str, tier: str, intent: str) -> dict:
        """A handoff request as the action server sends it (used to give an agent other customers' chats)."""
        response = await self.http.post(
            "/api/internal/handoffs",
            json={
                "conversation_id": session.conversation_id,
                "customer_id": customer_id,
                "tier": tier,
                "intent": intent,
                "reason": "explicit_request",
            },
            headers={"X-Service-Token": self.system.service_token},
        )
        response.raise_for_status()
        return response.json()

    async def make_queue_timeout_due(self, conversation_id: str) -> None:
        """Stands in for the passing of the queue timeout (10 minutes by default): the conversation's timeout
        in the sweep's sorted set becomes now, and the dispatcher ends the wait as it would have then."""
        await self._redis.zadd(self._keys.queue_timeouts(), {conversation_id: time.time()}, xx=True)
