"""Agent assist in the console: the bot's reading beside a customer message, a suggestion that fills the
reply box without sending, and "识别有误" reaching the trainer's inbox."""

from __future__ import annotations

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import DEMO_PASSWORD, count_messages, log_in, take_conversation
from tests.integration.system import RunningSystem

CUSTOMER = "C1001"  # 张伟, 普卡
QUESTION = "年费怎么收"  # read as ask_annual_fee: the knowledge file has the bot's answer for the 普卡 tier
WITH_PHONE = "我换手机号了，新号13812345678"
MASKED = "我换手机号了，新号138****5678"
STANDARD_ANNUAL_FEE = "您持有的普卡年费为每年100元"


def _handed_off(api: httpx.Client, system: RunningSystem) -> dict:
    session = api.post("/api/sessions/demo", json={"customer_id": CUSTOMER}).json()
    response = api.post(
        "/api/internal/handoffs",
        headers={"X-Service-Token": system.service_token},
        json={
            "conversation_id": session["conversation_id"],
            "customer_id": CUSTOMER,
            "tier": "standard",
            "intent": "request_human",
            "reason": "explicit_request",
            "transcript": [],
        },
    )
    assert response.status_code == 201, response.text
    return session


def test_the_agent_sees_readings_uses_a_suggestion_and_flags_a_misread(
    open_page: OpenPage, api: httpx.Client, system: RunningSystem, screenshot
) -> None:
    agent = open_page("agent")
    log_in(agent, "/agent", "general_1")
    session = _handed_off(api, system)
    take_conversation(agent, session["conversation_id"])
    for text in (WITH_PHONE, QUESTION):
        sent = api.post(
            f"/api/conversations/{session['conversation_id']}/messages",
            json={"text": text},
            headers={"Authorization": f"Bearer {session['token']}"},
        )
        assert sent.status_code == 201, sent.text

    message = agent.locator("#transcript li.message-customer", has_text=QUESTION)
    expect(message.locator(".reading")).to_contain_text("机器人识别：ask_annual_fee")
    suggestion = agent.locator("#assist-suggestions .suggestion").first
    expect(suggestion).to_contain_text(STANDARD_ANNUAL_FEE)
    screenshot(agent, "assist")

    suggestion.click()
    expect(agent.locator("#reply-input")).to_have_value(
        agent.locator("#assist-suggestions .suggestion").first.inner_text().split("：", 1)[1]
    )
    assert count_messages(agent, "transcript", "agent") == 0  # filled, not sent

    phone_message = agent.locator("#transcript li.message-customer", has_text=MASKED)
    expect(phone_message.locator(".reading")).to_contain_text("机器人识别：")
    phone_message.locator(".misread-button").click()
    agent.fill("#misread-intent", "update_phone")
    agent.click("#misread-submit")
    expect(phone_message.locator(".misread-button")).to_have_text("已标记识别有误")

    login = api.post("/api/auth/login", json={"username": "trainer", "password": DEMO_PASSWORD})
    inbox = api.get(
        "/api/trainer/inbox",
        params={"reason": "agent_flag"},
        headers={"Authorization": f"Bearer {login.json()['token']}"},
    ).json()
    flagged = [item for item in inbox["items"] if item["conversation_id"] == session["conversation_id"]]
    assert [(item["text"], item["suggested_intent"]) for item in flagged] == [(MASKED, "update_phone")]
    assert "13812345678" not in str(inbox)
