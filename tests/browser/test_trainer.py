"""The trainer's page: misread messages from real conversations, labelled, bulk-labelled and discarded."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime

import httpx
from playwright.sync_api import expect

from handoff_api.domain.nlu_inbox import InboxReason, InboxStatus, group_key
from handoff_api.sql.db import create_db_engine
from handoff_api.sql.readings import write_in_order
from tests.browser.conftest import OpenPage
from tests.browser.helpers import DEMO_PASSWORD, log_in
from tests.integration.system import RunningSystem
from tests.progress import POLL_SECONDS, StallWatch

# Ways of asking for a custom card face that the bot reads with low confidence (as in the learning-loop test).
TWICE = "卡面能印我家猫吗"
OUT_OF_SCOPE = "out_of_scope"
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


# Texts of their own groups (digits would fold them into one) under an intent no conversation is read as.
PAGER_INTENT = "pager_check"
PAGER_TEXTS = [f"分页样例{first}{second}" for first in "甲乙丙丁戊己" for second in "子丑寅卯辰巳午未申酉"]


def _seed_waiting_groups(system: RunningSystem, texts: list[str]) -> None:
    """Misread messages stored as the API stores them, in the running system's database: more groups than a
    page holds, without a bot turn for each."""
    engine = create_db_engine(f"sqlite:///{system.var_dir / 'handoff.db'}")
    try:
        for n, text in enumerate(texts):
            write_in_order(engine, [_fallback_row(f"pager-{uuid.uuid4().hex}", f"{n + 1}-0", text)])
    finally:
        engine.dispose()


def _fallback_row(conversation_id: str, message_id: str, text: str) -> dict[str, object]:
    return {
        "conversation_id": conversation_id,
        "message_id": message_id,
        "text": text,
        "group_key": group_key(text),
        "intent": PAGER_INTENT,
        "confidence": 0.2,
        "runner_up": None,
        "runner_up_confidence": None,
        "ranking": [{"name": PAGER_INTENT, "confidence": 0.2}],
        "entities": [],
        "fallback": True,
        "while_agent": False,
        "context_before": None,
        "context_after": None,
        "created_at": datetime.now(UTC),
        "reason": InboxReason.FALLBACK.value,
        "status": InboxStatus.WAITING.value,
    }


def test_trainer_pages_through_more_groups_than_a_page(
    open_page: OpenPage, api: httpx.Client, system: RunningSystem
) -> None:
    headers = _trainer_headers(api)
    _seed_waiting_groups(system, PAGER_TEXTS)
    try:
        page = open_page("trainer")
        log_in(page, "/trainer", "trainer")
        page.fill("#filter-intent", PAGER_INTENT)
        page.click("#filter-button")
        expect(page.locator("#page-range")).to_have_text("第 1–50 组，共 60 组")
        expect(page.locator(".inbox-item")).to_have_count(50)
        expect(page.locator("#page-prev")).to_be_disabled()

        page.click("#page-next")
        expect(page.locator("#page-range")).to_have_text("第 51–60 组，共 60 组")
        expect(page.locator(".inbox-item")).to_have_count(10)
        expect(page.locator("#page-next")).to_be_disabled()
        second_page = set(page.locator(".inbox-text").all_inner_texts())
        assert len(second_page) == 10 and second_page <= set(PAGER_TEXTS)

        # Labelling the whole last page shows the page that is now the last one: the only one, so no pager.
        for check in page.locator(".select-item").all():
            check.check()
        page.fill("#bulk-intent", OUT_OF_SCOPE)
        page.click("#bulk-label-button")
        expect(page.locator("#inbox-notice")).to_have_text(f"已标注 10 条为 {OUT_OF_SCOPE}")
        expect(page.locator("#inbox-pager")).to_be_hidden()
        expect(page.locator(".inbox-item")).to_have_count(50)
        first_page = set(page.locator(".inbox-text").all_inner_texts())
        assert first_page == set(PAGER_TEXTS) - second_page
    finally:
        _discard_waiting(api, headers, PAGER_INTENT)


def _discard_waiting(api: httpx.Client, headers: dict[str, str], intent: str) -> None:
    """The seeded groups leave the inbox, so they do not crowd the other tests' pages."""
    listed = api.get("/api/trainer/inbox", params={"intent": intent, "limit": 200}, headers=headers)
    items = listed.json()["items"]
    if items:
        body = {"ids": [item["id"] for item in items], "discard": True}
        assert api.post("/api/trainer/inbox/bulk-label", json=body, headers=headers).status_code == 200
