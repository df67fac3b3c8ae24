"""After a real run that carried PII and every kind of token, the log directory holds none of them; the CSAT
prompt no longer trips Rasa's slot interpolation; a closed conversation's keys and its Rasa tracker expire."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest
from redis.asyncio import Redis

from handoff_api.store.redis_keys import RedisKeys
from tests.integration.system import RunningSystem
from tests.integration.test_skeleton_flow import login, open_socket, say, start_session
from tests.progress import STALL_SECONDS

pytestmark = pytest.mark.integration

PLATINUM_CUSTOMER = "C1003"
# Typed the way phones and IMEs type them; none of these may reach a log in any form the test can match.
SPACED_MOBILE = "137 2468 1357"
FULL_WIDTH_MOBILE = "１３９１３５７２４６８"
FULL_WIDTH_CARD = "６２２８ ４８０４ ０２５６ ４８９０"
ID_NUMBER = "11010519491231002X"
RAW_PII = [
    SPACED_MOBILE,
    "13724681357",
    FULL_WIDTH_MOBILE,
    "13913572468",
    FULL_WIDTH_CARD,
    "６２２８４８０４０２５６４８９０",
    "6228480402564890",
    ID_NUMBER,
    "110105194912310",
]
# Any bearer credential or query-string token, whatever its value.
TOKEN_SHAPES = re.compile(r"(?i)[?&](?:token|access_token)=(?!\*)|bearer\s+(?!\*)[A-Za-z0-9._~+/-]{8,}")


@pytest.fixture
async def api(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.api_url, timeout=STALL_SECONDS) as client:
        yield client


def _log_text(system: RunningSystem) -> dict[str, str]:
    files = sorted(path for path in system.var_dir.rglob("*.log") if path.is_file())
    assert {path.name for path in files} >= {"handoff_api.log", "rasa.log", "actions.log"}, files
    return {path.name: path.read_text(encoding="utf-8", errors="replace") for path in files}


async def test_no_token_or_pii_in_any_log_after_a_handoff_with_csat(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    agent = await login(api, "vip_1")
    session = await start_session(api, PLATINUM_CUSTOMER)
    async with open_socket(system, session) as socket:  # a customer token over the socket
        await say(api, session, "我要转人工客服")
        await socket.next_message("system", event="agent_joined")
        await say(api, session, f"我的手机是{SPACED_MOBILE}，身份证{ID_NUMBER}")
        await say(api, session, f"卡号{FULL_WIDTH_CARD}被盗刷了")
        path = f"/api/agent/conversations/{session.conversation_id}"
        assert (await api.post(f"{path}/messages", json={"text": "收到"}, headers=agent)).status_code == 201
        closed = await api.post(f"{path}/close", json={"wrap_up": "resolved"}, headers=agent)
        assert closed.status_code == 200, closed.text
        csat = await socket.next_message("bot")
        while not csat["buttons"]:  # past the bot's earlier replies (the queue position) to the CSAT prompt
            csat = await socket.next_message("bot")
        assert '/rate_service{"csat_score": 5}' in [b["payload"] for b in csat["buttons"]], csat
        await say(api, session, f"我的电话是{FULL_WIDTH_MOBILE}")  # to the bot, which keeps mobiles
        await socket.next_message("bot")

    agent_token = agent["Authorization"].removeprefix("Bearer ")
    secrets = {
        "customer token": session.token,
        "agent token": agent_token,
        "RASA_TOKEN": system.rasa_token,
        "SERVICE_TOKEN": system.service_token,
        "GATEWAY_SECRET": system.gateway_secret,
        "ACTION_SERVER_TOKEN": system.action_server_token,
    }
    for name, text in _log_text(system).items():
        assert [label for label, secret in secrets.items() if secret in text] == [], name
        assert TOKEN_SHAPES.findall(text) == [], name
        assert [raw for raw in RAW_PII if raw in text] == [], name
        assert "interpolator.interpolate.text" not in text, name  # the CSAT prompt's old error

    keys = RedisKeys(system.key_prefix)
    async with Redis.from_url(system.redis_url, decode_responses=True) as redis:
        names = [
            keys.conversation(session.conversation_id),
            keys.messages(session.conversation_id),
            f"{system.rasa_prefix}:tracker:{session.conversation_id}",
        ]
        assert [name for name in names if await redis.ttl(name) <= 0] == []
