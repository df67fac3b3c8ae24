"""The action server's HTTP clients keep one session each for the process, closed when the server stops."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import pytest
import yaml
from aiohttp import web
from sanic import Sanic

from actions.backends.demo import customer_to_dict, seed_customer
from actions.backends.http import HttpBackend
from actions.clients.handoff import HandoffClient, HandoffRequest
from actions.clients.http_session import LazySession, close_all_sessions
from actions.clients.tickets import TicketClient, TicketRequest
from actions.server import create_app
from contract.names import TicketCategory
from tests.actions.conftest import DEMO_CUSTOMERS
from tests.actions.fake_servers import core_system, record_peers, serve, slow_handoff_api, ticket_api

HANDOFF = HandoffRequest(conversation_id="c", customer_id="C1001", tier="gold", intent="greet", reason="r")
TICKET = TicketRequest(
    category=TicketCategory.COMPLAINT, customer_id="C1001", tier="gold", conversation_id="c", description="慢"
)


def _customers() -> dict[str, dict]:
    from datetime import date

    seed = yaml.safe_load(DEMO_CUSTOMERS.read_text(encoding="utf-8"))["customers"]
    return {c["id"]: customer_to_dict(seed_customer(c, date(2026, 11, 23))) for c in seed}


def _calls(kind: str, url: str) -> Callable[[], Awaitable[object]]:
    """A client of the kind, built once, and a call it makes."""
    if kind == "handoff":
        handoff = HandoffClient(base_url=url, service_token="t", timeout_seconds=2)
        return lambda: handoff.request_handoff(HANDOFF)
    if kind == "tickets":
        tickets = TicketClient(base_url=url, service_token="svc", timeout_seconds=2)
        return lambda: tickets.create(TICKET)
    backend = HttpBackend(base_url=url, token="core", timeout_seconds=2)
    return lambda: backend.get_customer("C1003")


def _app(kind: str) -> web.Application:
    if kind == "handoff":
        return slow_handoff_api(0.0)
    return ticket_api() if kind == "tickets" else core_system(_customers())


@asynccontextmanager
async def _served(kind: str) -> AsyncIterator[tuple[Callable[[], Awaitable[object]], list[tuple[str, int]]]]:
    """A client's call against its fake server, and the client address of every request the server saw."""
    app = _app(kind)
    peers = record_peers(app)
    async with serve(app) as url:
        yield _calls(kind, url), peers


@pytest.mark.parametrize("kind", ["handoff", "tickets", "core"])
async def test_a_client_makes_every_call_over_one_connection(kind: str) -> None:
    async with _served(kind) as (call, peers):
        for _ in range(3):
            await call()

    assert len(peers) == 3 and len(set(peers)) == 1, peers


@pytest.mark.parametrize("kind", ["handoff", "tickets", "core"])
async def test_closing_the_sessions_at_shutdown_ends_the_connection(kind: str) -> None:
    async with _served(kind) as (call, peers):
        await call()
        await close_all_sessions()
        await call()  # a client used again opens a new session

    assert len(set(peers)) == 2, peers


def test_a_session_is_not_opened_before_its_first_use_in_a_loop() -> None:
    session = LazySession(timeout_seconds=1)  # no running loop here: building it must not need one

    async def use() -> bool:
        opened = session.get()
        reused = opened is session.get() and not opened.closed
        await session.close()
        return reused

    assert asyncio.run(use())


async def test_the_action_server_closes_the_sessions_after_it_stops(monkeypatch: pytest.MonkeyPatch) -> None:
    """The action server of actions/server.py, through Sanic's own start and stop events."""
    monkeypatch.setattr(Sanic, "test_mode", True)  # lets this process build rasa-sdk's "rasa_sdk" app again
    action_server = await create_app("a-token").create_server(
        host="127.0.0.1", port=0, return_asyncio_server=True
    )
    await action_server.startup()
    await action_server.before_start()
    await action_server.after_start()

    async with _served("handoff") as (call, peers):
        await call()
        await action_server.before_stop()
        action_server.close()
        await action_server.wait_closed()
        await action_server.after_stop()
        await call()

    assert len(set(peers)) == 2, peers
