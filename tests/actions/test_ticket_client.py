from __future__ import annotations

import pytest

from actions.clients.tickets import TicketClient, TicketError, TicketNotFound, TicketRequest, parse_ticket
from contract.names import TicketCategory
from tests.actions.fake_servers import TICKETS, serve, ticket_api

REQUEST = TicketRequest(
    category=TicketCategory.DISPUTE,
    customer_id="C1001",
    tier="standard",
    conversation_id="conv-1",
    description="3月5号那笔两千块不是我刷的",
    details={"amount": 2000.0, "date": "2026-03-05"},
)


def _client(url: str, token: str = "svc") -> TicketClient:
    return TicketClient(base_url=url, service_token=token, timeout_seconds=2)


async def test_create_read_and_latest() -> None:
    app = ticket_api()
    async with serve(app) as url:
        created = await _client(url).create(REQUEST)
        read = await _client(url).get(created.id)
        latest = await _client(url).latest("C1001", limit=1)

    assert app[TICKETS][created.id]["category"] == "dispute"
    assert app[TICKETS][created.id]["details"] == {"amount": 2000.0, "date": "2026-03-05"}
    assert (created.status, created.customer_id, created.sla_due_at) == (
        "open",
        "C1001",
        "2026-11-24T04:00:00Z",
    )
    assert read == created and latest == [created]


async def test_unknown_ticket() -> None:
    async with serve(ticket_api()) as url:
        with pytest.raises(TicketNotFound):
            await _client(url).get("T0000000000")


@pytest.mark.parametrize("app_kwargs", [{"fail": True}, {"token": "other"}])
async def test_service_errors_are_typed(app_kwargs) -> None:
    async with serve(ticket_api(**app_kwargs)) as url:
        with pytest.raises(TicketError):
            await _client(url).create(REQUEST)


async def test_unreachable() -> None:
    with pytest.raises(TicketError):
        await _client("http://127.0.0.1:9").latest("C1001")


def test_unusable_answer() -> None:
    with pytest.raises(TicketError):
        parse_ticket({"id": "T1"})


async def test_slow_ticket_api_times_out() -> None:
    async with serve(ticket_api(delay=1.0)) as url:
        client = TicketClient(base_url=url, service_token="svc", timeout_seconds=0.2)
        with pytest.raises(TicketError):
            await client.latest("C1001")


async def test_a_filing_carries_its_idempotency_key() -> None:
    app = ticket_api()
    async with serve(app) as url:
        keyed = await _client(url).create(REQUEST, idempotency_key="k-1")
        plain = await _client(url).create(REQUEST)

    assert app[TICKETS][keyed.id]["sent_idempotency_key"] == "k-1"
    assert app[TICKETS][plain.id]["sent_idempotency_key"] is None
