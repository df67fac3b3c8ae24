"""Headers on every response (CSP without inline script, no framing, nosniff, no referrer), /metrics behind
its token, and no redirect that reflects the Host header."""

import re

import httpx
import pytest
from fastapi import FastAPI

from handoff_api.api.routes.pages import STATIC_DIR
from handoff_api.core.config import Settings
from handoff_api.main import create_app
from tests.handoff_api.conftest import Customer

PATHS = ["/", "/agent", "/supervisor", "/static/common.js", "/healthz", "/api/demo/customers", "/nowhere"]


@pytest.mark.parametrize("path", PATHS)
async def test_every_response_carries_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


async def test_errors_carry_them_too(client: httpx.AsyncClient) -> None:
    customer = await Customer.start(client, "C1001")
    too_big = await client.post(
        f"/api/conversations/{customer.conversation_id}/messages",
        content=b"x" * 2_000_000,
        headers=customer.headers,
    )
    assert too_big.status_code == 413 and too_big.headers["x-frame-options"] == "DENY"


def test_the_pages_have_no_inline_script_or_handler() -> None:
    """What the policy would block: a <script> without src, or an on* attribute."""
    for page in STATIC_DIR.glob("*.html"):
        html = page.read_text(encoding="utf-8")
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == [], page.name
        assert re.findall(r"\son[a-z]+\s*=", html) == [], page.name


async def test_metrics_need_the_metrics_token(client: httpx.AsyncClient, settings: Settings) -> None:
    assert (await client.get("/metrics")).status_code == 401
    wrong = await client.get("/metrics", headers={"Authorization": "Bearer guess"})
    assert wrong.status_code == 401
    right = await client.get("/metrics", headers={"Authorization": f"Bearer {settings.METRICS_TOKEN}"})
    assert right.status_code == 200 and "handoff_queue_length" in right.text


async def test_without_a_metrics_token_there_is_no_metrics_endpoint(settings: Settings) -> None:
    app: FastAPI = create_app(settings.model_copy(update={"METRICS_TOKEN": ""}))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://handoff.test") as http:
            response = await http.get("/metrics", headers={"Authorization": "Bearer "})
    assert response.status_code == 404


@pytest.mark.parametrize("path", ["/agent/", "/api/agent/queue/", "/static", "/api/demo/customers/"])
async def test_no_redirect_reflects_the_host_header(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path, headers={"Host": "evil.example"})
    assert "evil.example" not in response.headers.get("location", "")
    assert response.status_code == 404
