"""Headless Chromium (Debian's binary, nothing downloaded) against the real running system.

Every page opened through `open_page` records console errors, uncaught page errors and JavaScript dialogs;
the test fails if any appear. Screenshots go to test-artifacts/browser/ (git-ignored).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, ConsoleMessage, Dialog, Page, expect, sync_playwright

from tests.integration.system import ROOT, RunningSystem, running_system
from tests.progress import STALL_SECONDS

ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# What a page waits for is one step (a reply, a refresh): it fails only when that step has not happened
# for the stall interval, so a loaded machine slows a test down without failing it.
UI_TIMEOUT_MS = int(STALL_SECONDS * 1000)
PHONE = {"width": 390, "height": 844}

# Records every WebSocket the page opens, so a test can drop the connection as a network failure would.
SOCKET_SPY = """
(() => {
  const Native = window.WebSocket;
  window.__sockets = [];
  window.WebSocket = class extends Native {
    constructor(...args) { super(...args); window.__sockets.push(this); }
  };
})();
"""

expect.set_options(timeout=UI_TIMEOUT_MS)


@dataclass
class WatchedPage:
    page: Page
    label: str
    allowed: tuple[re.Pattern[str], ...]
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def on_console(self, message: ConsoleMessage) -> None:
        if message.type == "error" and not any(pattern.search(message.text) for pattern in self.allowed):
            # A failed fetch's text names no URL; its location does.
            self.console_errors.append(f"{message.text} ({message.location.get('url', '')})")

    def on_dialog(self, dialog: Dialog) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()


OpenPage = Callable[..., Page]


@pytest.fixture(scope="package")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    """One real running system (Rasa, action server, handoff API) for the browser tests."""
    with running_system(tmp_path_factory.mktemp("browser-system")) as running:
        yield running


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def api(system: RunningSystem) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=system.api_url, timeout=STALL_SECONDS) as client:
        yield client


@pytest.fixture
def open_page(browser: Browser, system: RunningSystem, request: pytest.FixtureRequest) -> Iterator[OpenPage]:
    """Opens a page in its own browser context (its own storage, like a separate person's browser)."""
    watched: list[WatchedPage] = []
    contexts = []

    def _open(label: str, *, phone: bool = False, allow_console: tuple[str, ...] = ()) -> Page:
        viewport = PHONE if phone else {"width": 1280, "height": 900}
        context = browser.new_context(base_url=system.api_url, viewport=viewport, locale="zh-CN")
        context.add_init_script(SOCKET_SPY)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(UI_TIMEOUT_MS)
        entry = WatchedPage(page, label, tuple(re.compile(pattern) for pattern in allow_console))
        page.on("console", entry.on_console)
        page.on("pageerror", lambda error: entry.page_errors.append(str(error)))
        page.on("dialog", entry.on_dialog)
        watched.append(entry)
        return page

    yield _open
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for entry in watched:  # how each page looked at the end, which is what a failure needs
        path = ARTIFACTS / f"{request.node.name.removeprefix('test_')}-end-{entry.label}.png"
        entry.page.screenshot(path=str(path), full_page=True)
    for context in contexts:
        context.close()
    for entry in watched:
        assert not entry.dialogs, f"{entry.label}: a dialog opened (script ran): {entry.dialogs}"
        assert not entry.page_errors, f"{entry.label}: uncaught page errors: {entry.page_errors}"
        assert not entry.console_errors, f"{entry.label}: console errors: {entry.console_errors}"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[[Page, str], Path]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    test_name = request.node.name.removeprefix("test_")

    def _shoot(page: Page, step: str) -> Path:
        path = ARTIFACTS / f"{test_name}-{step}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return _shoot
