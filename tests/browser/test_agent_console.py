"""The agent console's own controls, each sending what docs/contract.md defines: presence, the customer's
tickets, and a transfer with a note."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import DEMO_PASSWORD, assert_socket_urls_carry_no_token, log_in, take_conversation
from tests.integration.system import RunningSystem

CUSTOMER = "C1006"  # 赵磊, 金卡
NOTE = "客户反映一笔境外交易不是本人操作，请风险专线核实"


def _handoff(api: httpx.Client, system: RunningSystem) -> dict:
    """A demo customer handed off to the general group, as the action server would ask."""
    session = api.post("/api/sessions/demo", json={"customer_id": CUSTOMER}).json()
    response = api.post(
        "/api/internal/handoffs",
        headers={"X-Service-Token": system.service_token},
        json={
            "conversation_id": session["conversation_id"],
            "customer_id": CUSTOMER,
            "tier": "gold",
            "intent": "request_human",
            "reason": "bot_escalation",
            "transcript": [{"role": "customer", "text": "帮我转人工"}],
        },
    )
    assert response.status_code == 201, response.text
    return session


FULL_WIDTH_CARD = "６２２２０２１２３４５６７８９０"


def _file_ticket(api: httpx.Client, system: RunningSystem, session: dict) -> str:
    response = api.post(
        "/api/internal/tickets",
        headers={"X-Service-Token": system.service_token},
        json={
            "category": "complaint",
            "customer_id": CUSTOMER,
            "tier": "gold",
            "conversation_id": session["conversation_id"],
            "description": f"上次来电等待时间太长，卡号{FULL_WIDTH_CARD}",
            "details": {},
            "contact_phone": "+86 138 1234 5678",
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def _agent_headers(page: Page) -> dict[str, str]:
    """The console's own agent token, as it keeps it in the page's session storage."""
    token = page.evaluate("sessionStorage.getItem('cs-agent-token')")
    return {"Authorization": f"Bearer {token}"}


def test_agent_sets_presence_reads_the_tickets_and_transfers_with_a_note(
    open_page: OpenPage, api: httpx.Client, system: RunningSystem, screenshot
) -> None:
    agent = open_page("agent")
    log_in(agent, "/agent", "general_1")
    expect(agent.locator("#presence-switch")).to_have_attribute("data-presence", "online")

    session = _handoff(api, system)
    ticket_id = _file_ticket(api, system, session)
    take_conversation(agent, session["conversation_id"])
    expect(agent.locator("#packet-fields")).to_contain_text("需人工办理")  # the bot_escalation reason's label
    ticket = agent.locator(f"#tickets-list li[data-ticket-id='{ticket_id}']")
    expect(ticket).to_contain_text("投诉")
    expect(ticket).to_contain_text("待处理")
    expect(ticket).to_contain_text("上次来电等待时间太长")
    expect(ticket).to_contain_text("************７８９０")  # stored masked, shown masked
    expect(ticket).not_to_contain_text(FULL_WIDTH_CARD)
    expect(ticket).to_contain_text("回电号码 13812345678")  # the structured field, for the one who may call
    assert_socket_urls_carry_no_token(agent)

    agent.click("#presence-away")
    expect(agent.locator("#presence-switch")).to_have_attribute("data-presence", "away")
    me = api.get("/api/agent/me", headers=_agent_headers(agent))
    assert me.json()["presence"] == "away", me.text  # the server holds what the console shows

    agent.click("#transfer-panel summary")
    agent.select_option("#transfer-group", "risk")
    agent.fill("#transfer-note", NOTE)
    screenshot(agent, "transfer")
    agent.click("#transfer-button")
    expect(agent.locator("#conversation-view")).to_be_hidden()
    expect(
        agent.locator(f"#my-conversations li[data-conversation-id='{session['conversation_id']}']")
    ).to_have_count(0)

    login = api.post("/api/auth/login", json={"username": "supervisor", "password": DEMO_PASSWORD})
    supervisor = {"Authorization": f"Bearer {login.json()['token']}"}
    view = api.get(f"/api/agent/conversations/{session['conversation_id']}", headers=supervisor).json()
    assert (view["summary"]["state"], view["summary"]["group"], view["summary"]["note"]) == (
        "queued",
        "risk",
        NOTE,
    )

    # Leave no one waiting in the risk queue for the tests after this one, and the agent online again.
    customer = {"Authorization": f"Bearer {session['token']}"}
    assert (
        api.post(f"/api/conversations/{session['conversation_id']}/cancel", headers=customer).status_code
        == 200
    )
    agent.click("#presence-online")
    expect(agent.locator("#presence-switch")).to_have_attribute("data-presence", "online")
