"""Tickets over HTTP on SQLite and PostgreSQL: filing, SLA, numbering, reading, status changes."""

import asyncio
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.handoff_api.conftest import ON_BOTH_DATABASES, SERVICE_TOKEN, login

pytestmark = ON_BOTH_DATABASES

SERVICE = {"X-Service-Token": SERVICE_TOKEN}


def _ticket(**overrides: object) -> dict:
    return {
        "category": "dispute",
        "customer_id": "C1001",
        "tier": "standard",
        "conversation_id": "conv-1",
        "description": "3月5号有一笔120元的消费不是我刷的",
        "details": {"amount": 120.0, "date": "2026-11-03"},
        **overrides,
    }


async def _file(client: httpx.AsyncClient, **overrides: object) -> dict:
    response = await client.post("/api/internal/tickets", json=_ticket(**overrides), headers=SERVICE)
    assert response.status_code == 201, response.text
    return response.json()


async def test_filing_sets_id_status_sla_and_history(client: httpx.AsyncClient) -> None:
    before = datetime.now(UTC)
    ticket = await _file(client, category="complaint", tier="gold")
    created_at = datetime.fromisoformat(ticket["created_at"])
    assert ticket["id"] == f"T{created_at:%y%m%d}0001"
    assert ticket["status"] == "open"
    assert created_at.utcoffset() == timedelta(0) and created_at >= before - timedelta(seconds=1)
    # config/routing.yml: complaint for gold is 24 hours.
    assert datetime.fromisoformat(ticket["sla_due_at"]) - created_at == timedelta(hours=24)
    assert ticket["details"] == {"amount": 120.0, "date": "2026-11-03"}
    assert [(h["status"], h["note"], h["by"]) for h in ticket["history"]] == [("open", "", "bot")]


@pytest.mark.parametrize(
    ("category", "tier", "hours"), [("callback", "diamond", 1), ("dispute", "standard", 120)]
)
async def test_sla_depends_on_category_and_tier(client: httpx.AsyncClient, category, tier, hours) -> None:
    ticket = await _file(client, category=category, tier=tier)
    due = datetime.fromisoformat(ticket["sla_due_at"]) - datetime.fromisoformat(ticket["created_at"])
    assert due == timedelta(hours=hours)


async def test_concurrent_filings_get_distinct_consecutive_numbers(client: httpx.AsyncClient) -> None:
    tickets = await asyncio.gather(*(_file(client) for _ in range(8)))
    numbers = sorted(int(ticket["id"][-4:]) for ticket in tickets)
    assert numbers == list(range(1, 9))


async def test_read_one_and_list_newest_first(client: httpx.AsyncClient) -> None:
    first = await _file(client)
    second = await _file(client, category="callback")
    await _file(client, customer_id="C1002")
    read = await client.get(f"/api/internal/tickets/{first['id']}", headers=SERVICE)
    assert read.status_code == 200 and read.json() == first
    listed = await client.get("/api/internal/customers/C1001/tickets", headers=SERVICE)
    assert [t["id"] for t in listed.json()] == [second["id"], first["id"]]
    limited = await client.get("/api/internal/customers/C1001/tickets?limit=1", headers=SERVICE)
    assert [t["id"] for t in limited.json()] == [second["id"]]


async def test_unknown_ticket_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/internal/tickets/T0000000000", headers=SERVICE)
    assert response.status_code == 404 and response.json() == {"detail": "ticket not found"}
    agent = await login(client, "general_1")
    patched = await client.patch("/api/agent/tickets/T0", json={"status": "closed"}, headers=agent)
    assert patched.status_code == 404 and patched.json() == {"detail": "ticket not found"}


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/api/internal/tickets"),
        ("GET", "/api/internal/tickets/T1"),
        ("GET", "/api/internal/customers/C1001/tickets"),
    ],
)
async def test_internal_routes_need_the_service_token(client: httpx.AsyncClient, method, path) -> None:
    response = await client.request(method, path, json=_ticket(), headers={"X-Service-Token": "wrong"})
    assert response.status_code == 401 and response.json() == {"detail": "invalid service token"}


async def test_agent_routes_need_an_agent_token(client: httpx.AsyncClient) -> None:
    listed = await client.get("/api/agent/customers/C1001/tickets")
    patched = await client.patch("/api/agent/tickets/T1", json={"status": "closed"}, headers=SERVICE)
    assert listed.status_code == patched.status_code == 401


async def test_agent_moves_a_ticket_through_its_statuses(client: httpx.AsyncClient) -> None:
    ticket = await _file(client)
    agent = await login(client, "risk_1")
    path = f"/api/agent/tickets/{ticket['id']}"
    for status, note in [("in_progress", "已联系商户"), ("resolved", "已退款"), ("closed", "")]:
        response = await client.patch(path, json={"status": status, "note": note}, headers=agent)
        assert response.status_code == 200, response.text
    history = response.json()["history"]
    assert [(h["status"], h["note"], h["by"]) for h in history] == [
        ("open", "", "bot"),
        ("in_progress", "已联系商户", "risk_1"),
        ("resolved", "已退款", "risk_1"),
        ("closed", "", "risk_1"),
    ]
    listed = await client.get("/api/agent/customers/C1001/tickets", headers=agent)
    assert listed.json()[0]["status"] == "closed"


@pytest.mark.parametrize(("first", "second"), [("closed", "in_progress"), ("in_progress", "open")])
async def test_invalid_transition_is_409_and_not_recorded(client: httpx.AsyncClient, first, second) -> None:
    ticket = await _file(client)
    agent = await login(client, "risk_1")
    path = f"/api/agent/tickets/{ticket['id']}"
    assert (await client.patch(path, json={"status": first}, headers=agent)).status_code == 200
    refused = await client.patch(path, json={"status": second}, headers=agent)
    assert refused.status_code == 409 and refused.json() == {"detail": "invalid ticket status transition"}
    stored = (await client.get(f"/api/internal/tickets/{ticket['id']}", headers=SERVICE)).json()
    assert [h["status"] for h in stored["history"]] == ["open", first]


@pytest.mark.parametrize(
    "overrides",
    [
        {"category": "praise"},
        {"tier": "bronze"},
        {"description": "  "},
        {"description": "含\x00空字符"},
        {"customer_id": ""},
        {"details": {"nested": {"a": 1}}},
        {"details": {f"k{i}": i for i in range(31)}},
    ],
)
async def test_invalid_ticket_is_422(client: httpx.AsyncClient, overrides) -> None:
    response = await client.post("/api/internal/tickets", json=_ticket(**overrides), headers=SERVICE)
    assert response.status_code == 422, response.text
    assert response.json()["detail"][0]["loc"][0] == "body"


async def test_a_filing_repeated_with_its_idempotency_key_returns_the_first_ticket(
    client: httpx.AsyncClient,
) -> None:
    key = {**SERVICE, "Idempotency-Key": "conv-1:1700000000000-0:ticket:dispute"}
    first = await client.post("/api/internal/tickets", json=_ticket(), headers=key)
    again = await client.post("/api/internal/tickets", json=_ticket(), headers=key)
    other = await _file(client)

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert other["id"] != first.json()["id"]
    latest = await client.get("/api/internal/customers/C1001/tickets", headers=SERVICE)
    assert sorted(t["id"] for t in latest.json()) == sorted([first.json()["id"], other["id"]])


async def test_concurrent_filings_with_one_key_make_one_ticket(client: httpx.AsyncClient) -> None:
    key = {**SERVICE, "Idempotency-Key": "conv-2:1700000000001-0:ticket:complaint"}
    answers = await asyncio.gather(
        *(client.post("/api/internal/tickets", json=_ticket(), headers=key) for _ in range(5))
    )

    assert {answer.status_code for answer in answers} == {201}
    assert len({answer.json()["id"] for answer in answers}) == 1
