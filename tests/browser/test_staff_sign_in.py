"""The staff pages' one sign-in (static/common.js): a reload carries on, 退出 revokes the token, and a page
refuses an account it is not for."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import OpenPage
from tests.browser.helpers import DEMO_PASSWORD, log_in

# Accounts that take no conversations, so taking them offline (退出 does) changes no other test's routing.
# (page, account, where the page keeps the token, where it names who is signed in, how)
PAGES = [
    ("/agent", "supervisor", "cs-agent-token", "#agent-label", "钱主管（主管）"),
    ("/supervisor", "supervisor", "cs-supervisor-token", "#supervisor-label", "钱主管"),
    ("/trainer", "trainer", "cs-trainer-token", "#trainer-label", "林训练"),
]
LOGIN_TITLES = {"/agent": "坐席登录", "/supervisor": "主管登录", "/trainer": "训练师登录"}


def _kept_token(page: Page, key: str) -> str | None:
    return page.evaluate("(key) => sessionStorage.getItem(key)", key)


@pytest.mark.parametrize(
    ("path", "username", "key", "label", "name"), PAGES, ids=[path for path, *_ in PAGES]
)
def test_a_reload_carries_on_and_sign_out_revokes_the_token(
    open_page: OpenPage, api: httpx.Client, path: str, username: str, key: str, label: str, name: str
) -> None:
    page = open_page(username)
    log_in(page, path, username)
    token = _kept_token(page, key)
    assert token

    page.reload()
    expect(page.locator("#logout-button")).to_be_visible()
    expect(page.locator("#login-view")).to_be_hidden()
    expect(page.locator(label)).to_have_text(name)
    # The page signs out at once and revokes the token on the server after: wait for that request.
    with page.expect_response(lambda response: response.url.endswith("/api/auth/logout")) as revoked:
        page.click("#logout-button")
    assert revoked.value.ok

    expect(page.locator("#login-view")).to_be_visible()
    expect(page.locator("#login-view h2")).to_have_text(LOGIN_TITLES[path])
    expect(page.locator("#logout-button")).to_be_hidden()
    expect(page.locator(label)).to_have_text("")
    assert _kept_token(page, key) is None
    me = api.get("/api/agent/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401, me.text


def test_the_supervisor_view_refuses_a_trainer(open_page: OpenPage) -> None:
    page = open_page("trainer")
    page.goto("/supervisor")
    page.fill("#login-username", "trainer")
    page.fill("#login-password", DEMO_PASSWORD)
    page.click("#login-button")

    expect(page.locator("#login-error")).to_have_text("该账号不是主管账号")
    expect(page.locator("#dashboard")).to_be_hidden()
    assert _kept_token(page, "cs-supervisor-token") is None
