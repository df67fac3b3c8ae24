"""The walking skeleton end to end: web chat → handoff API → Rasa → action server → handoff API → agent.

Everything here is real: scripts/run.sh starts Rasa, the action server and the handoff API on free ports,
sharing the machine's Redis under this run's own key prefixes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
import pytest
import websockets
from redis.asyncio import Redis

from handoff_api.store.redis_keys import RedisKeys
from tests.conversation_socket import conversation_socket
from tests.integration.system import RunningSystem, rasa_tracker
from tests.progress import STALL_SECONDS, next_within_stall

pytestmark = pytest.mark.integration

PLATINUM_CUSTOMER = "C1003"  # 王芳, 白金卡; demo available credit 128800 (demo/customers.yml)
Headers = dict[str, str]


@dataclass
class Socket:
    """A WebSocket viewer of one conversation that collects every pushed message in order."""

    connection: websockets.ClientConnection
    received: list[dict] = field(default_factory=list)
    unread: list[dict] = field(default_factory=list)  # received but not yet returned by next_message

    async def next_message(self, role: str, event: str | None = None) -> dict:
        """The next pushed message from `role` (with `meta.event` == `event` when given), in stream order:
        messages of other kinds stay unread, because concurrent services may push them in either order."""

        def wanted(frame: dict) -> bool:
            return frame["role"] == role and event in (None, frame.get("meta", {}).get("event"))

        while not any(wanted(frame) for frame in self.unread):
            frame = json.loads(await next_within_stall(self.connection.recv(), what=f"a {role} message"))
            assert frame.get("type") != "error", frame
            self.received.append(frame)
            self.unread.append(frame)
        found = next(frame for frame in self.unread if wanted(frame))
        self.unread.remove(found)
        return found


@pytest.fixture
async def api(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.api_url, timeout=STALL_SECONDS) as client:
        yield client


@dataclass(frozen=True)
class Session:
    conversation_id: str
    token: str

    @property
    def path(self) -> str:
        return f"/api/conversations/{self.conversation_id}"

    @property
    def headers(self) -> Headers:
        return {"Authorization": f"Bearer {self.token}"}


@asynccontextmanager
async def open_socket(system: RunningSystem, session: Session, last_id: str = "0") -> AsyncIterator[Socket]:
    ws_url = system.api_url.replace("http://", "ws://")
    async with conversation_socket(ws_url, session.conversation_id, session.token, last_id) as connection:
        yield Socket(connection)


async def start_session(api: httpx.AsyncClient, customer_id: str) -> Session:
    response = await api.post("/api/sessions/demo", json={"customer_id": customer_id})
    assert response.status_code == 201, response.text
    return Session(response.json()["conversation_id"], response.json()["token"])


async def login(api: httpx.AsyncClient, username: str) -> Headers:
    response = await api.post("/api/auth/login", json={"username": username, "password": "demo1234"})
    assert response.status_code == 200, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


async def say(api: httpx.AsyncClient, session: Session, text: str) -> None:
    response = await api.post(f"{session.path}/messages", json={"text": text}, headers=session.headers)
    assert response.status_code == 201, response.text


async def state_of(api: httpx.AsyncClient, session: Session) -> dict:
    response = await api.get(session.path, headers=session.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def stored_messages(api: httpx.AsyncClient, session: Session) -> list[dict]:
    response = await api.get(f"{session.path}/messages", headers=session.headers)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


async def test_bot_answers_a_greeting_in_chinese(system: RunningSystem, api: httpx.AsyncClient) -> None:
    session = await start_session(api, "C1001")
    async with open_socket(system, session) as socket:
        await say(api, session, "你好")
        reply = await socket.next_message("bot")
    assert any("\u4e00" <= char <= "\u9fff" for char in reply["text"]), reply


async def test_balance_comes_from_the_demo_back_end(system: RunningSystem, api: httpx.AsyncClient) -> None:
    session = await start_session(api, PLATINUM_CUSTOMER)
    async with open_socket(system, session) as socket:
        await say(api, session, "帮我查一下我的信用卡还有多少可用额度")
        reply = await socket.next_message("bot")
    assert "128800" in reply["text"].replace(",", ""), reply


async def test_a_missed_rasa_resume_is_made_up_before_the_next_message(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    session = await start_session(api, "C1001")
    # As after a hand-back whose resume did not reach Rasa: the tracker paused, the conversation flagged.
    paused = httpx.post(
        f"{system.rasa_url}/conversations/{session.conversation_id}/tracker/events",
        json={"event": "pause"},
        params={"token": system.rasa_token},
        timeout=10,
    )
    paused.raise_for_status()
    conversation_key = RedisKeys(system.key_prefix).conversation(session.conversation_id)
    async with Redis.from_url(system.redis_url, decode_responses=True) as redis:
        await redis.hset(conversation_key, "rasa_resume_pending", "1")
        async with open_socket(system, session) as socket:
            await say(api, session, "你好")
            await socket.next_message("bot")  # a paused tracker would have answered nothing
        assert rasa_tracker(system, session.conversation_id)["paused"] is False
        assert not await redis.hexists(conversation_key, "rasa_resume_pending")


async def test_handoff_to_an_agent_and_back_to_the_bot(system: RunningSystem, api: httpx.AsyncClient) -> None:
    agent = await login(api, "vip_1")  # an online vip agent, so the platinum customer is routed to them
    session = await start_session(api, PLATINUM_CUSTOMER)
    conversation_id = session.conversation_id
    async with open_socket(system, session) as socket:
        await say(api, session, "我要转人工客服")
        queued_reply = await socket.next_message("bot")
        assert "1" in queued_reply["text"], queued_reply  # the bot tells the customer their position
        joined = await socket.next_message("system", event="agent_joined")  # assigned by the dispatcher
        assert "已接入" in joined["text"], joined
        # Assigned only once the bot's turn is over: the customer reads "queued" before "agent joined".
        assert socket.received.index(queued_reply) < socket.received.index(joined)
        assert (await state_of(api, session))["state"] == "agent"
        assert rasa_tracker(system, conversation_id)["paused"] is True

        await say(api, session, "我的卡号是6222021234567890123，麻烦快点")
        view = (await api.get(f"/api/agent/conversations/{conversation_id}", headers=agent)).json()
        assert view["summary"]["agent"] == "vip_1" and view["summary"]["group"] == "vip", view["summary"]
        assert view["packet"]["tier"] == "platinum" and view["packet"]["reason"] == "explicit_request"
        transcript = " ".join(message["text"] for message in view["messages"])
        # The whole conversation, with the card number masked for the agent.
        assert "我要转人工客服" in transcript and "麻烦快点" in transcript
        assert "6222021234567890123" not in transcript

        reply = await api.post(
            f"/api/agent/conversations/{conversation_id}/messages",
            json={"text": "您好，我是贵宾专员，请讲。"},
            headers=agent,
        )
        assert reply.status_code == 201, reply.text
        assert (await socket.next_message("agent"))["text"] == "您好，我是贵宾专员，请讲。"

        await say(api, session, "我想问一下年费")
        await asyncio.sleep(1)  # give a wrongly forwarded message time to reach Rasa and be answered
        last_roles = [message["role"] for message in await stored_messages(api, session)][-2:]
        assert last_roles == ["agent", "customer"], "the bot must stay silent while an agent owns the chat"

        closed = await api.post(
            f"/api/agent/conversations/{conversation_id}/close", json={"wrap_up": "resolved"}, headers=agent
        )
        assert closed.status_code == 200, closed.text
        assert (await state_of(api, session))["state"] == "bot"
        assert rasa_tracker(system, conversation_id)["paused"] is False

        await say(api, session, "你好")
        assert (await socket.next_message("bot"))["text"]


async def test_reconnecting_socket_resumes_without_loss_or_duplicates(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    session = await start_session(api, "C1002")
    async with open_socket(system, session) as first:
        await say(api, session, "你好")
        await first.next_message("bot")
    last_seen = first.received[-1]["id"]

    await say(api, session, "谢谢")  # sent while no socket is open
    async with open_socket(system, session, last_id=last_seen) as second:
        await second.next_message("bot")
    every_id = [m["id"] for m in first.received + second.received]
    stored = await stored_messages(api, session)
    assert every_id == [m["id"] for m in stored[: len(every_id)]]
