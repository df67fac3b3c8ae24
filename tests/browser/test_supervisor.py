"""The supervisor view: queues against targets and the chart of waiting times."""

from __future__ import annotations

from pathlib import Path

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import DEMO_PASSWORD, log_in
from tests.integration.system import RunningSystem

RISK_AGENT_CAPACITY = 2  # config/agents.demo.yml, risk_1


def queue_risk_handoffs(api: httpx.Client, system: RunningSystem, count: int) -> list[str]:
    """Lost-card handoffs to the risk line, as the action server would request them."""
    login = api.post("/api/auth/login", json={"username": "risk_1", "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text  # an online risk agent, so the handoffs queue
    ids = []
    for _ in range(count):
        session = api.post("/api/sessions/demo", json={"customer_id": "C1002"}).json()
        response = api.post(
            "/api/internal/handoffs",
            headers={"X-Service-Token": system.service_token},
            json={
                "conversation_id": session["conversation_id"],
                "customer_id": "C1002",
                "tier": "gold",
                "intent": "report_lost_card",
                "reason": "explicit_request",
                "slots": {},
                "verified": False,
                "transcript": [{"role": "customer", "text": "我的卡丢了"}],
            },
        )
        assert response.status_code == 201, response.text
        ids.append(session["conversation_id"])
    return ids


def test_supervisor_sees_the_queues_and_the_wait_chart(
    open_page: OpenPage, api: httpx.Client, system: RunningSystem, screenshot
) -> None:
    # More handoffs than the one online risk agent can take, so some wait even with auto-assignment.
    queue_risk_handoffs(api, system, RISK_AGENT_CAPACITY + 1)
    page = open_page("supervisor")
    log_in(page, "/supervisor", "supervisor")
    expect(page.locator("#dashboard")).to_be_visible()

    risk = page.locator("#group-row-risk")
    expect(risk).to_contain_text("风险专线")
    page.wait_for_function("() => Number(document.querySelector('#group-row-risk').dataset.queued) >= 1")
    expect(page.locator("#group-rows tr")).to_have_count(4)
    expect(page.locator("#queue-rows tr").first).to_contain_text("李娜")
    expect(page.locator("#queue-rows tr").first).to_contain_text("风险专线")

    # The chart draws one point per group per refresh; after two refreshes each group has a line.
    page.wait_for_function("() => Number(document.querySelector('#wait-chart').dataset.points) >= 8")
    expect(page.locator("#wait-chart-svg path.series")).not_to_have_count(0)
    expect(page.locator("#wait-chart-legend")).to_contain_text("风险专线")
    risk_agent = page.locator("#agent-rows tr[data-agent='risk_1']")
    expect(risk_agent).to_contain_text("在线")
    expect(risk_agent).to_contain_text(
        f"{RISK_AGENT_CAPACITY} / {RISK_AGENT_CAPACITY}"
    )  # full: the rest wait
    expect(risk.locator("td").last).to_have_text("1")  # risk_1, the one risk agent online
    screenshot(page, "dashboard")


def test_the_bot_analytics_come_from_the_server_and_export_as_csv(
    open_page: OpenPage, api: httpx.Client, system: RunningSystem, screenshot
) -> None:
    queue_risk_handoffs(api, system, 1)
    page = open_page("supervisor-analytics")
    log_in(page, "/supervisor", "supervisor")
    reasons = page.locator("#analytics-reasons li[data-key='explicit_request']")
    expect(reasons).to_contain_text("客户要求转人工")
    page.select_option("#analytics-bucket", "hour")
    expect(page.locator("#analytics-chart svg")).to_have_count(1)
    page.reload()  # nothing kept in the browser: the figures are the server's
    expect(page.locator("#analytics-reasons li[data-key='explicit_request']")).to_contain_text(
        "客户要求转人工"
    )
    screenshot(page, "analytics")

    with page.expect_download() as download:
        page.click("#analytics-csv")
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("start,conversations,containment,handoffs")
    assert lines[-1].startswith("total,")
