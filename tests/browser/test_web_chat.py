"""The customer's web chat on its own: a bot answer from the back-end, and a dropped connection."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import (
    assert_socket_urls_carry_no_token,
    count_messages,
    dom_message_ids,
    say,
    start_chat,
    stored_message_ids,
    wait_for_message,
)

PLATINUM_CUSTOMER = "C1003"  # 王芳, 白金卡; demo available credit 128800 (demo/customers.yml)
GOLD_CUSTOMER = "C1002"
# While the browser is offline, Chromium itself logs each failed reconnection attempt of the socket.
SOCKET_RECONNECT_FAILURE = r"WebSocket connection to .* failed"


def test_balance_question_gets_the_demo_figure(open_page: OpenPage, screenshot) -> None:
    page = open_page("customer", phone=True)
    page.goto("/")
    expect(page.locator("#customer-picker .customer-option").first).to_be_visible()
    expect(page.locator(f"#customer-{PLATINUM_CUSTOMER}")).to_contain_text("白金卡")
    screenshot(page, "1-picker")

    start_chat(page, PLATINUM_CUSTOMER)
    expect(page.locator("#customer-label")).to_contain_text("王芳")
    say(page, "帮我查一下我的信用卡还有多少可用额度")
    wait_for_message(page, "messages", "customer", "可用额度")
    wait_for_message(page, "messages", "bot", "128800")
    expect(page.locator("#typing-indicator")).to_be_hidden()
    expect(page.locator("#human-button")).to_be_enabled()
    screenshot(page, "2-answer")


def test_dropped_connection_loses_and_duplicates_nothing(
    open_page: OpenPage, api: httpx.Client, screenshot
) -> None:
    page = open_page("customer", allow_console=(SOCKET_RECONNECT_FAILURE,))
    session = start_chat(page, GOLD_CUSTOMER)
    say(page, "你好")
    expect(page.locator("#messages li.message-bot").first).to_be_visible()

    # The network goes away and the open socket dies with it; new connections fail until it is back.
    page.context.set_offline(True)
    page.evaluate("window.__sockets.forEach((socket) => socket.close())")
    expect(page.locator("#connection-banner")).to_be_visible()
    screenshot(page, "1-offline")

    # Meanwhile the conversation moves on: a message from the customer's other device and the bot's answer.
    response = api.post(
        f"/api/conversations/{session['conversation_id']}/messages",
        json={"text": "我想查一下本月账单"},
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    assert response.status_code == 201, response.text
    assert [m["role"] for m in response.json()["messages"]][:2] == ["customer", "bot"], response.text
    time.sleep(1)  # let at least one reconnection attempt fail while offline

    page.context.set_offline(False)
    expect(page.locator("#connection-banner")).to_be_hidden()
    wait_for_message(page, "messages", "customer", "本月账单")
    stored = stored_message_ids(api, session)
    page.wait_for_function(
        "(n) => document.querySelectorAll('#messages li[data-id]').length >= n", arg=len(stored)
    )

    # And it keeps working over the new connection.
    bots = count_messages(page, "messages", "bot")
    say(page, "谢谢")
    page.wait_for_function(
        "(n) => document.querySelectorAll('#messages li.message-bot').length > n", arg=bots
    )
    time.sleep(1)  # a duplicate would arrive right after the original
    shown = dom_message_ids(page)
    assert len(shown) == len(set(shown)), f"duplicated messages: {shown}"
    assert shown == stored_message_ids(api, session)
    assert_socket_urls_carry_no_token(page)  # the first socket and the reconnection's
    screenshot(page, "2-reconnected")
