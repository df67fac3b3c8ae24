"""A customer and an agent in two browsers: handoff with the packet, both ways, close, CSAT, bot again;
and text that looks like markup stays text on the agent's screen."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import (
    count_messages,
    log_in,
    say,
    start_chat,
    take_conversation,
    wait_for_message,
)

PLATINUM_CUSTOMER = "C1003"
STANDARD_CUSTOMER = "C1001"
CARD_NUMBER = "6222021234567890123"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"
SCRIPT_PAYLOAD = "<script>alert(2)</script>"


def test_platinum_customer_is_served_by_a_vip_agent_and_rates_the_service(
    open_page: OpenPage, screenshot
) -> None:
    agent = open_page("agent")
    # A handoff only queues while an agent of the group is online, so the agent logs in first.
    log_in(agent, "/agent", "vip_1")
    expect(agent.locator("#agent-label")).to_contain_text("吴磊")
    customer = open_page("customer", phone=True)
    session = start_chat(customer, PLATINUM_CUSTOMER)
    conversation_id = session["conversation_id"]

    customer.click("#human-button")
    queued_notice = customer.locator("#messages li.message-system", has_text=re.compile(r"排队第\s*\d+\s*位"))
    expect(queued_notice.first).to_contain_text(re.compile(r"第\s*1\s*位"))
    # The agent has a free seat: no made-up figure, the customer is told it is a moment away.
    expect(queued_notice.first).to_contain_text("即将为您接入")
    screenshot(customer, "1-customer-queued")
    say(customer, f"我的卡号是{CARD_NUMBER}，麻烦快点")
    wait_for_message(customer, "messages", "customer", "麻烦快点")

    take_conversation(agent, conversation_id)
    packet = agent.locator("#packet-fields")
    expect(packet).to_contain_text("白金卡")
    expect(packet).to_contain_text("request_human")
    expect(packet).to_contain_text("未核验")
    wait_for_message(agent, "transcript", "customer", "麻烦快点")
    expect(agent.locator("#transcript")).not_to_contain_text(CARD_NUMBER)  # masked for the agent
    expect(customer.locator("#service-state")).to_contain_text("吴磊")
    expect(customer.locator("#service-state")).to_contain_text("白金贵宾坐席")
    screenshot(agent, "2-agent-packet")

    agent.click("#canned-greeting")
    expect(agent.locator("#reply-input")).to_have_value(re.compile("您好"))
    agent.click("#reply-button")
    wait_for_message(customer, "messages", "agent", "很高兴为您服务")
    say(customer, "我想把年费免掉，可以吗？")
    wait_for_message(agent, "transcript", "customer", "年费免掉")
    agent.fill("#reply-input", "已为您申请免除本年度年费。")
    agent.press("#reply-input", "Enter")
    wait_for_message(customer, "messages", "agent", "免除本年度年费")
    screenshot(customer, "3-customer-with-agent")

    agent.select_option("#wrap-up-select", "resolved")
    agent.click("#close-button")
    expect(agent.locator("#conversation-view")).to_be_hidden()
    expect(agent.locator(f"#my-conversations li[data-conversation-id='{conversation_id}']")).to_have_count(0)
    expect(customer.locator("#service-state")).to_have_text("智能助手为您服务")

    expect(customer.locator("#csat-panel")).to_be_visible()
    customer.click("#csat-star-5")
    expect(customer.locator("#csat-star-5")).to_have_attribute("aria-checked", "true")
    customer.fill("#csat-comment", "服务很专业")
    screenshot(customer, "4-csat")
    customer.click("#csat-submit")
    expect(customer.locator("#csat-thanks")).to_be_visible()

    bots = count_messages(customer, "messages", "bot")
    say(customer, "帮我查一下我的信用卡还有多少可用额度")
    wait_for_message(customer, "messages", "bot", "128800")
    assert count_messages(customer, "messages", "bot") > bots
    screenshot(customer, "5-back-to-bot")


def test_markup_from_a_customer_is_shown_as_text_and_never_runs(open_page: OpenPage, screenshot) -> None:
    agent = open_page("agent")
    log_in(agent, "/agent", "general_1")
    customer = open_page("customer")
    session = start_chat(customer, STANDARD_CUSTOMER)

    # Asked for a human first, so the markup is relayed to the agent rather than read by the bot's NLU.
    customer.click("#human-button")
    expect(customer.locator("#human-button")).to_be_disabled()  # queued or already assigned
    say(customer, IMG_PAYLOAD)  # while queued: kept for the agent
    wait_for_message(customer, "messages", "customer", IMG_PAYLOAD)

    take_conversation(agent, session["conversation_id"])
    transcript = agent.locator("#transcript")
    wait_for_message(agent, "transcript", "customer", IMG_PAYLOAD)
    say(customer, SCRIPT_PAYLOAD)
    wait_for_message(agent, "transcript", "customer", SCRIPT_PAYLOAD)
    say(customer, IMG_PAYLOAD + SCRIPT_PAYLOAD)  # and live, over the agent's socket
    wait_for_message(agent, "transcript", "customer", IMG_PAYLOAD + SCRIPT_PAYLOAD)
    for page, messages in ((agent, transcript), (customer, customer.locator("#messages"))):
        expect(messages.locator("img")).to_have_count(0)
        expect(messages.locator("script")).to_have_count(0)
        assert page.evaluate("document.querySelectorAll('img[src=x], body script:not([src])').length") == 0
    screenshot(agent, "agent-shows-text")
    screenshot(customer, "customer-shows-text")

    agent.click("#close-button")  # frees the agent's seat for other tests
    expect(agent.locator("#conversation-view")).to_be_hidden()
