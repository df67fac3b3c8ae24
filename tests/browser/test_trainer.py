"""The trainer's page: misread messages from real conversations, labelled, bulk-labelled and discarded."""

from __future__ import annotations

import time

import httpx
from playwright.sync_api import expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import DEMO_PASSWORD, log_in
from tests.progress import POLL_SECONDS, StallWatch

# Ways of asking for a custom card face that the bot reads with low confidence (as in the learning-loop test).
TWICE = "卡面能印我家猫吗"
ONCE = ["想要个性卡面", "卡面图案可以自己设计吗"]


def _trainer_headers(api: httpx.Client) -> dict[str, str]:
    login = api.post("/api/auth/login", json={"username": "trainer", "password": DEMO_PASSWORD})
    assert login.status_code == 200, login.text
    return {"Authorization": f"Bearer {login.json()['token']}"}


def _send(api: httpx.Client, text: str) -> str:
    session = api.post("/api/sessions/demo", json={"customer_id": "C1002"}).json()
    sent = api.post(
        f"/api/conversations/{session['conversation_id']}/messages",
        json={"text": text},
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    assert sent.status_code == 201, sent.text
    return session["conversation_id"]


def _waiting(api: httpx.Client, headers: dict[str, str], conversations: set[str]) -> list[dict]:
    items = api.get("/api/trainer/inbox", params={"limit": 200}, headers=headers).json()["items"]
    return [item for item in items if item["conversation_id"] in conversations]


def test_trainer_labels_bulk_labels_and_discards(open_page: OpenPage, api: httpx.Client, screenshot) -> None:
    headers = _trainer_headers(api)
    conversations = {_send(api, text) for text in [TWICE, TWICE, *ONCE]}
    watch = StallWatch("the messages reaching the inbox")
    while sum(item["count"] for item in _waiting(api, headers, conversations)) < 4:
        watch.observe(_waiting(api, headers, conversations))
        time.sleep(POLL_SECONDS)

    page = open_page("trainer")
    log_in(page, "/trainer", "trainer")
    twice = page.locator(".inbox-item", has_text=TWICE)
    expect(twice).to_have_attribute("data-count", "2")
    expect(twice).to_contain_text("×2")
    expect(twice.locator(".inbox-reading")).to_contain_text("预测：")
    expect(twice.locator(".context-after")).to_contain_text("机器人回复：")
    labelled_before = int(page.locator("#labelled-count").inner_text())
    screenshot(page, "inbox")

    twice.locator(".label-intent").fill("ask_card_application")
    twice.locator(".label-button").click()
    expect(page.locator("#inbox-notice")).to_have_text("已标注 2 条为 ask_card_application")
    expect(page.locator(".inbox-item", has_text=TWICE)).to_have_count(0)
    expect(page.locator("#labelled-count")).to_have_text(str(labelled_before + 2))

    page.locator(".inbox-item", has_text=ONCE[0]).locator(".discard-button").click()
    expect(page.locator("#inbox-notice")).to_have_text("已丢弃 1 条")
    page.locator(".inbox-item", has_text=ONCE[1]).locator(".select-item").check()
    expect(page.locator("#selected-count")).to_have_text("1")
    page.fill("#bulk-intent", "ask_card_application")
    page.click("#bulk-label-button")
    expect(page.locator("#inbox-notice")).to_have_text("已标注 1 条为 ask_card_application")
    expect(page.locator("#labelled-count")).to_have_text(str(labelled_before + 3))

    assert _waiting(api, headers, conversations) == []
