"""Steps shared by the browser tests: what a customer, an agent or a supervisor does on the pages."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from tests.browser.conftest import ARTIFACTS

DEMO_PASSWORD = "demo1234"


def start_chat(page: Page, customer_id: str) -> dict:
    """Opens the web chat as a demo customer; returns the session (conversation id and customer token)."""
    page.goto("/")
    page.click(f"#customer-{customer_id}")
    expect(page.locator("#chat-view")).to_be_visible()
    expect(page.locator("#chat-view")).to_have_attribute("data-connection", "open")
    return page.evaluate("JSON.parse(sessionStorage.getItem('cs-chat-session'))")


def say(page: Page, text: str) -> None:
    page.fill("#message-input", text)
    page.click("#send-button")


def wait_for_message(page: Page, list_id: str, role: str, text: str) -> None:
    """Waits until a message of the role containing `text` (thousands separators ignored) is shown."""
    page.wait_for_function(
        """([listId, role, text]) =>
             [...document.querySelectorAll(`#${listId} li.message-${role} .message-text`)]
               .some((node) => node.textContent.replaceAll(",", "").includes(text))""",
        arg=[list_id, role, text],
    )


def count_messages(page: Page, list_id: str, role: str) -> int:
    return page.locator(f"#{list_id} li.message-{role}").count()


def dom_message_ids(page: Page, list_id: str = "messages") -> list[str]:
    return page.evaluate(
        "(listId) => [...document.querySelectorAll(`#${listId} li[data-id]`)].map((node) => node.dataset.id)",
        list_id,
    )


def stored_message_ids(api: httpx.Client, session: dict) -> list[str]:
    response = api.get(
        f"/api/conversations/{session['conversation_id']}/messages",
        headers={"Authorization": f"Bearer {session['token']}"},
    )
    response.raise_for_status()
    return [message["id"] for message in response.json()["messages"]]


def log_in(page: Page, path: str, username: str) -> None:
    page.goto(path)
    page.fill("#login-username", username)
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-button")
    expect(page.locator("#login-view")).to_be_hidden()


def take_conversation(page: Page, conversation_id: str) -> bool:
    """The agent takes the conversation: claims it from the queue, or opens it if it was assigned to them.
    Returns whether it had been assigned (auto-assignment) rather than claimed."""
    queued = page.locator(f"#queue-list li[data-conversation-id='{conversation_id}'] .claim-button")
    mine = page.locator(f"#my-conversations li[data-conversation-id='{conversation_id}'] .open-button")
    expect(queued.or_(mine)).to_be_visible()
    assigned = not queued.is_visible()
    if assigned:
        # Assignment without a click must be announced to the agent.
        expect(page.locator("#assignment-alert")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "assignment-alert.png"))
        mine.click()
    else:
        queued.click()
    expect(page.locator("#conversation-view")).to_have_attribute("data-conversation-id", conversation_id)
    return assigned


def assert_socket_urls_carry_no_token(page: Page) -> None:
    """Every WebSocket the page opened (recorded by the conftest's init script) has a bare URL: the token
    goes in the first frame, since URLs end up in access logs."""
    urls = page.evaluate("window.__sockets.map((socket) => socket.url)")
    assert urls, "the page opened no socket"
    assert [url for url in urls if "?" in url or "token" in url] == [], urls
