"""Small local HTTP servers standing in for the core system and the handoff service's ticket API."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
from aiohttp.typedefs import Handler

SEEN = web.AppKey("seen", list)
TICKETS = web.AppKey("tickets", dict)


def record_peers(app: web.Application) -> list[tuple[str, int]]:
    """The client address of every request the app serves: one port per connection the client opened."""
    peers: list[tuple[str, int]] = []

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        peers.append(request.transport.get_extra_info("peername")[:2])
        return await handler(request)

    app.middlewares.append(record)
    return peers


@asynccontextmanager
async def serve(app: web.Application) -> AsyncIterator[str]:
    server = TestServer(app, host="127.0.0.1")
    await server.start_server()
    try:
        yield str(server.make_url("")).rstrip("/")
    finally:
        await server.close()


def core_system(
    customers: dict[str, dict[str, Any]], *, delay: float = 0.0, token: str = "core"
) -> web.Application:
    """The core-system API of actions/backends/http.py over an in-memory dict; OTP is 654321."""
    seen: list[web.Request] = []

    async def guard(request: web.Request) -> None:
        seen.append(request)
        if delay:
            await asyncio.sleep(delay)
        if request.headers.get("Authorization") != f"Bearer {token}":
            raise web.HTTPUnauthorized()

    async def customer(request: web.Request) -> web.Response:
        await guard(request)
        data = customers.get(request.match_info["id"])
        if data is None:
            return web.json_response({"error": "customer_not_found"}, status=404)
        return web.json_response(data)

    async def operation(request: web.Request) -> web.Response:
        await guard(request)
        data = customers.get(request.match_info["id"])
        if data is None:
            return web.json_response({"error": "customer_not_found"}, status=404)
        card = next((c for c in data["cards"] if c["tail"] == request.match_info["tail"]), None)
        if card is None:
            return web.json_response({"error": "card_not_found"}, status=404)
        body = await request.json()
        if body["operation"] == "cancel":
            return web.json_response({"error": "outstanding_balance"}, status=409)
        if body["operation"] == "freeze":
            card["status"] = "frozen"
        return web.json_response({"card": card})

    async def otp(request: web.Request) -> web.Response:
        await guard(request)
        return web.json_response({"masked_phone": "139****0000"})

    async def verify(request: web.Request) -> web.Response:
        await guard(request)
        return web.json_response({"valid": (await request.json())["code"] == "654321"})

    app = web.Application()
    app[SEEN] = seen
    app.router.add_get("/customers/{id}", customer)
    app.router.add_post("/customers/{id}/cards/{tail}/operations", operation)
    app.router.add_post("/customers/{id}/otp", otp)
    app.router.add_post("/customers/{id}/otp/verify", verify)
    return app


def ticket_api(*, token: str = "svc", fail: bool = False, delay: float = 0.0) -> web.Application:
    """The ticket endpoints of docs/contract.md, in memory."""
    tickets: dict[str, dict[str, Any]] = {}

    async def check(request: web.Request) -> None:
        if delay:
            await asyncio.sleep(delay)
        if request.headers.get("X-Service-Token") != token:
            raise web.HTTPUnauthorized()
        if fail:
            raise web.HTTPInternalServerError()

    async def create(request: web.Request) -> web.Response:
        await check(request)
        body = await request.json()
        ticket_id = f"T26112300{len(tickets) + 1:02d}"
        tickets[ticket_id] = {
            **body,
            "id": ticket_id,
            "status": "open",
            "sla_due_at": "2026-11-24T04:00:00Z",
            "created_at": f"2026-11-23T0{len(tickets)}:00:00Z",
            "history": [],
        }
        # Kept beside the ticket (not in the contract's response) so tests can see what the client sent.
        tickets[ticket_id]["sent_idempotency_key"] = request.headers.get("Idempotency-Key")
        return web.json_response(tickets[ticket_id], status=201)

    async def read(request: web.Request) -> web.Response:
        await check(request)
        ticket = tickets.get(request.match_info["id"])
        if ticket is None:
            return web.json_response({"detail": "ticket not found"}, status=404)
        return web.json_response(ticket)

    async def of_customer(request: web.Request) -> web.Response:
        await check(request)
        mine = [t for t in tickets.values() if t["customer_id"] == request.match_info["id"]]
        mine.sort(key=lambda t: t["created_at"], reverse=True)
        return web.json_response(mine[: int(request.query.get("limit", 5))])

    app = web.Application()
    app[TICKETS] = tickets
    app.router.add_post("/api/internal/tickets", create)
    app.router.add_get("/api/internal/tickets/{id}", read)
    app.router.add_get("/api/internal/customers/{id}/tickets", of_customer)
    return app


def slow_handoff_api(delay: float) -> web.Application:
    """A handoff service that answers the handoff request only after `delay` seconds."""

    async def handoffs(request: web.Request) -> web.Response:
        await asyncio.sleep(delay)
        return web.json_response(
            {"status": "queued", "group": "general", "position": 1, "estimated_wait_seconds": 9}
        )

    app = web.Application()
    app.router.add_post("/api/internal/handoffs", handoffs)
    return app
