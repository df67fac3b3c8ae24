"""Client for the handoff service's ticket API (docs/contract.md, "Tickets")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import quote

import aiohttp

from actions.clients.http_session import LazySession
from actions.settings import Settings
from contract.names import IDEMPOTENCY_HEADER, TicketCategory


@dataclass(frozen=True)
class TicketRequest:
    category: TicketCategory
    customer_id: str
    tier: str
    conversation_id: str | None
    description: str
    details: dict[str, Any] = field(default_factory=dict)
    # Where a callback goes, when the customer gave a number; the handoff API shows it only to allowed agents.
    contact_phone: str | None = None


@dataclass(frozen=True)
class Ticket:
    id: str
    category: str
    status: str  # open | in_progress | resolved | closed
    customer_id: str
    sla_due_at: str  # ISO 8601 UTC
    created_at: str
    description: str


class TicketError(Exception):
    """The ticket API could not be reached or gave an unusable answer."""


class TicketNotFound(TicketError):
    def __init__(self, ticket_id: str) -> None:
        super().__init__(f"ticket {ticket_id!r} not found")
        self.ticket_id = ticket_id


class TicketClient:
    def __init__(self, *, base_url: str, service_token: str, timeout_seconds: float) -> None:
        self._base_url = f"{base_url.rstrip('/')}/api/internal"
        self._session = LazySession(
            timeout_seconds=timeout_seconds, headers={"X-Service-Token": service_token}
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> TicketClient:
        return cls(
            base_url=settings.handoff_api_url,
            service_token=settings.service_token,
            timeout_seconds=settings.http_timeout_seconds,
        )

    async def create(self, request: TicketRequest, *, idempotency_key: str | None = None) -> Ticket:
        """File a ticket; filed again with the same key, the API answers the first ticket."""
        body = {**asdict(request), "category": request.category.value}
        headers = {IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None
        status, payload = await self._call("POST", "/tickets", json=body, headers=headers)
        if status != 201:
            raise TicketError(f"ticket API answered {status}: {str(payload)[:200]}")
        return parse_ticket(payload)

    async def get(self, ticket_id: str) -> Ticket:
        status, payload = await self._call("GET", f"/tickets/{quote(ticket_id, safe='')}")
        if status == 404:
            raise TicketNotFound(ticket_id)
        if status != 200:
            raise TicketError(f"ticket API answered {status}: {str(payload)[:200]}")
        return parse_ticket(payload)

    async def latest(self, customer_id: str, *, limit: int = 5) -> list[Ticket]:
        status, payload = await self._call(
            "GET", f"/customers/{quote(customer_id, safe='')}/tickets", params={"limit": limit}
        )
        if status != 200 or not isinstance(payload, list):
            raise TicketError(f"ticket API answered {status}: {str(payload)[:200]}")
        return [parse_ticket(item) for item in payload]

    async def _call(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any]:
        session = self._session.get()
        request = session.request(method, self._base_url + path, json=json, params=params, headers=headers)
        try:
            async with request as response:
                return response.status, await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise TicketError(f"ticket API unreachable: {exc!r}") from exc


def parse_ticket(payload: Any) -> Ticket:
    try:
        return Ticket(
            id=str(payload["id"]),
            category=str(payload["category"]),
            status=str(payload["status"]),
            customer_id=str(payload["customer_id"]),
            sla_due_at=str(payload["sla_due_at"]),
            created_at=str(payload["created_at"]),
            description=str(payload.get("description", "")),
        )
    except (KeyError, TypeError, AttributeError) as exc:
        raise TicketError(f"unexpected ticket API answer: {str(payload)[:200]}") from exc
