"""The action server's tasks end to end: web chat → handoff API → Rasa → action server → demo back-end
and the handoff API's ticket and handoff endpoints. Everything is real (scripts/run.sh on free ports)."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from tests.integration.system import RunningSystem
from tests.integration.test_skeleton_flow import (
    Session,
    Socket,
    login,
    open_socket,
    say,
    start_session,
    state_of,
    stored_messages,
)
from tests.progress import STALL_SECONDS, Stalled, wait_while_progressing

pytestmark = pytest.mark.integration

TICKET_ID = re.compile(r"T\d{10}")


@pytest.fixture
async def api(system: RunningSystem) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=system.api_url, timeout=STALL_SECONDS) as client:
        yield client


async def bot_until(socket: Socket, expected: str) -> list[str]:
    """Bot messages of this turn up to the first one that contains `expected`."""
    texts: list[str] = []
    while True:
        message = await socket.next_message("bot")
        texts.append(message["text"])
        if expected in message["text"]:
            return texts


async def turn(
    api: httpx.AsyncClient, session: Session, socket: Socket, text: str, expected: str
) -> list[str]:
    await say(api, session, text)
    try:
        return await bot_until(socket, expected)
    except Stalled:
        seen = [m["text"] for m in socket.received if m["role"] == "bot"][-5:]
        raise AssertionError(
            f"after {text!r} the bot never said {expected!r}; last bot messages: {seen}"
        ) from None


async def _left_the_bot(api: httpx.AsyncClient, session: Session) -> dict:
    """The conversation's state once the bot no longer owns it (queued or with an agent)."""
    return await wait_while_progressing(
        lambda: state_of(api, session), lambda state: state["state"] != "bot", what="the handoff"
    )


def demo_card(system: RunningSystem, customer_id: str, tail: str) -> dict:
    state = json.loads((system.var_dir / "demo_backend.json").read_text(encoding="utf-8"))
    customer = next(c for c in state["customers"] if c["id"] == customer_id)
    return next(card for card in customer["cards"] if card["tail"] == tail)


async def test_balance_of_a_gold_customer(system: RunningSystem, api: httpx.AsyncClient) -> None:
    session = await start_session(api, "C1002")
    async with open_socket(system, session) as socket:
        texts = await turn(api, session, socket, "我的信用卡还有多少可用额度", "可用额度")
    assert "41,200.00" in texts[-1] and "2345" in texts[-1], texts


async def test_lost_card_with_verification(system: RunningSystem, api: httpx.AsyncClient) -> None:
    session = await start_session(api, "C1001")
    async with open_socket(system, session) as socket:
        await turn(api, session, socket, "我的信用卡丢了，帮我挂失", "后4位")
        sent = await turn(api, session, socket, "尾号1234", "6位短信验证码")
        assert any("123456" in text for text in sent + await bot_until(socket, "验证码")), sent
        confirm = await turn(api, session, socket, "123456", "确认挂失吗")
        assert "身份核验通过" in " ".join(confirm), confirm
        assert demo_card(system, "C1001", "1234")["status"] == "active"  # nothing before the confirmation
        done = await turn(api, session, socket, "确认", "已挂失")
    assert "1234" in done[-1]
    assert demo_card(system, "C1001", "1234")["status"] == "lost"


async def test_complaint_becomes_a_ticket_and_its_status(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    session = await start_session(api, "C1002")
    async with open_socket(system, session) as socket:
        await turn(api, session, socket, "我要投诉", "描述")
        # A question while the bot waits for the description is answered, then the description is asked again.
        answered = await turn(api, session, socket, "你们的客服热线是多少？", "描述")
        assert any("95588" in text for text in answered), answered
        created = await turn(
            api, session, socket, "你们的客服电话一直打不通，我等了一个多小时都没人接", "工单号"
        )
        ticket_id = TICKET_ID.search(created[-1]).group(0)

        stored = await api.get(
            f"/api/internal/tickets/{ticket_id}", headers={"X-Service-Token": system.service_token}
        )
        assert stored.status_code == 200, stored.text
        ticket = stored.json()
        assert (ticket["category"], ticket["customer_id"], ticket["tier"], ticket["status"]) == (
            "complaint",
            "C1002",
            "gold",
            "open",
        )
        assert "客服电话一直打不通" in ticket["description"] and ticket["sla_due_at"]
        assert "热线是多少" not in ticket["description"]

        by_id = await turn(api, session, socket, f"帮我查一下工单{ticket_id}的进度", ticket_id)
        latest = await turn(api, session, socket, "我的投诉处理得怎么样了", ticket_id)
    assert "已受理" in by_id[-1] and "已受理" in latest[-1], (by_id, latest)


async def console_summary(api: httpx.AsyncClient, agent: dict[str, str], conversation_id: str) -> dict:
    """The conversation's line in the agent's console, queued or theirs. The queue is read first: the
    dispatcher may move it from the queue to the agent between the two reads, never back."""
    queue = (await api.get("/api/agent/queue", headers=agent)).json()
    mine = (await api.get("/api/agent/conversations", headers=agent)).json()
    return next(c for c in queue + mine if c["conversation_id"] == conversation_id)


async def test_failed_verification_goes_to_the_risk_group(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    agent = await login(api, "risk_1")
    session = await start_session(api, "C1006")
    async with open_socket(system, session) as socket:
        await turn(api, session, socket, "我的卡被偷了，赶紧帮我挂失", "后4位")
        await turn(api, session, socket, "6789", "6位短信验证码")
        await turn(api, session, socket, "111111", "验证码不正确")
        await turn(api, session, socket, "222222", "验证码不正确")
        await turn(api, session, socket, "333333", "风险专线")
        state = await state_of(api, session)
    assert state["group"] == "risk" and state["state"] in ("queued", "agent"), state
    summary = await console_summary(api, agent, session.conversation_id)
    assert (summary["reason"], summary["intent"]) == ("verification_failed", "report_lost_card"), summary
    assert demo_card(system, "C1006", "6789")["status"] == "frozen"  # the operation was not done


async def test_back_end_down_gets_an_apology(system: RunningSystem, api: httpx.AsyncClient) -> None:
    state_file: Path = system.var_dir / "demo_backend.json"
    session = await start_session(api, "C1004")
    async with open_socket(system, session) as socket:
        await turn(
            api, session, socket, "我的信用卡还有多少可用额度", "可用额度"
        )  # the state file exists now
        saved = state_file.read_text(encoding="utf-8")
        try:
            state_file.write_text("{damaged", encoding="utf-8")
            texts = await turn(api, session, socket, "我的积分有多少", "系统暂时繁忙")
        finally:
            state_file.write_text(saved, encoding="utf-8")
        assert "转人工" in texts[-1]
        recovered = await turn(api, session, socket, "我的积分有多少", "积分")
    assert "328000" in recovered[-1]
    log = (system.var_dir / "log" / "actions.log").read_text(encoding="utf-8", errors="replace")
    assert session.conversation_id in log


async def test_question_inside_verification_then_back_to_it(
    system: RunningSystem, api: httpx.AsyncClient
) -> None:
    session = await start_session(api, "C1003")
    async with open_socket(system, session) as socket:
        await turn(api, session, socket, "帮我把卡冻结一下", "后4位")
        answered = await turn(api, session, socket, "我的卡还有多少可用额度", "后4位")
        assert any("128,800.00" in text for text in answered), answered
        await turn(api, session, socket, "3456", "6位短信验证码")


async def test_resolved_handoff_asks_for_csat(system: RunningSystem, api: httpx.AsyncClient) -> None:
    agent = await login(api, "general_1")
    session = await start_session(api, "C1001")
    await say(api, session, "我要转人工")
    await _left_the_bot(api, session)
    if (await state_of(api, session))["state"] == "queued":
        claimed = await api.post(f"/api/agent/conversations/{session.conversation_id}/claim", headers=agent)
        # Unless the dispatcher assigned it meanwhile (to this agent, the only one online in general).
        assert claimed.status_code == 200 or (await state_of(api, session))["state"] == "agent", claimed.text
    closed = await api.post(
        f"/api/agent/conversations/{session.conversation_id}/close",
        json={"wrap_up": "resolved"},
        headers=agent,
    )
    assert closed.status_code == 200, closed.text
    messages = await wait_while_progressing(
        lambda: stored_messages(api, session),
        lambda messages: messages[-1]["role"] == "bot" and bool(messages[-1].get("buttons")),
        what="the CSAT question",
    )
    last = messages[-1]
    payloads = [button["payload"] for button in last["buttons"]]
    assert '/rate_service{"csat_score": 5}' in payloads and len(payloads) == 5, last


async def test_angry_customer_goes_to_a_human(system: RunningSystem, api: httpx.AsyncClient) -> None:
    agent = await login(api, "complaints_1")
    session = await start_session(api, "C1002")
    await say(api, session, "你们这什么垃圾服务，气死我了，我要投诉")
    state = await _left_the_bot(api, session)
    assert state["group"] == "complaints", state
    summary = await console_summary(api, agent, session.conversation_id)
    assert (summary["reason"], summary["intent"]) == ("negative_emotion", "complain"), summary
