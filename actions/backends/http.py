"""Account back-end over HTTP: the bank's core system (or a gateway in front of it).

Expected API (JSON; `Authorization: Bearer <CORE_BACKEND_TOKEN>`):
- `GET  /customers/{id}` → a customer in the state-file shape of the demo back-end (customer_from_dict).
- `POST /customers/{id}/cards/{tail}/operations {"operation", "amount"}` → `{"card": {...}}`;
  409 `{"error": "<refusal code>", "max_amount": …}` when the system refuses. With header `Idempotency-Key`
  (actions/idempotency.py), a repeat of a key already performed must answer the first result, not act again.
- `POST /customers/{id}/otp {"card_tail"}` → `{"masked_phone"}`.
- `POST /customers/{id}/otp/verify {"code"}` → `{"valid": true|false}`.
404 `{"error": "customer_not_found" | "card_not_found"}` for unknown customers and cards.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import aiohttp

from actions.backends.base import (
    BackendError,
    CardNotFound,
    CardOperation,
    CodeSent,
    Customer,
    CustomerNotFound,
    OperationRefused,
    OperationResult,
)
from actions.backends.demo import card_from_dict, customer_from_dict
from actions.clients.http_session import LazySession
from actions.settings import Settings
from contract.names import IDEMPOTENCY_HEADER


class HttpBackend:
    def __init__(self, *, base_url: str, token: str, timeout_seconds: float) -> None:
        self._base_url = base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._session = LazySession(timeout_seconds=timeout_seconds, headers=headers)

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpBackend:
        return cls(
            base_url=settings.core_backend_url,
            token=settings.core_backend_token,
            timeout_seconds=settings.http_timeout_seconds,
        )

    async def get_customer(self, customer_id: str) -> Customer:
        payload = await self._call("GET", f"/customers/{quote(customer_id)}", customer_id=customer_id)
        return _parse(customer_from_dict, payload)

    async def perform(
        self,
        customer_id: str,
        tail: str,
        operation: CardOperation,
        *,
        amount: float | None = None,
        idempotency_key: str | None = None,
    ) -> OperationResult:
        payload = await self._call(
            "POST",
            f"/customers/{quote(customer_id)}/cards/{quote(tail)}/operations",
            json={"operation": operation.value, "amount": amount},
            customer_id=customer_id,
            tail=tail,
            headers={IDEMPOTENCY_HEADER: idempotency_key} if idempotency_key else None,
        )
        card = _parse(lambda data: card_from_dict(data["card"]), payload)
        return OperationResult(card=card, operation=operation)

    async def send_code(self, customer_id: str, tail: str) -> CodeSent:
        payload = await self._call(
            "POST",
            f"/customers/{quote(customer_id)}/otp",
            json={"card_tail": tail},
            customer_id=customer_id,
            tail=tail,
        )
        return _parse(lambda data: CodeSent(masked_phone=str(data["masked_phone"])), payload)

    async def check_code(self, customer_id: str, code: str) -> bool:
        payload = await self._call(
            "POST",
            f"/customers/{quote(customer_id)}/otp/verify",
            json={"code": code},
            customer_id=customer_id,
        )
        return _parse(lambda data: data["valid"] is True, payload)

    async def _call(
        self,
        method: str,
        path: str,
        *,
        customer_id: str,
        tail: str | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        try:
            request = self._session.get().request(method, self._base_url + path, json=json, headers=headers)
            async with request as response:
                body = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise BackendError(f"core system unreachable: {exc!r}") from exc
        error = body.get("error") if isinstance(body, dict) else None
        if status == 404 and error == "card_not_found" and tail is not None:
            raise CardNotFound(customer_id, tail)
        if status == 404:
            raise CustomerNotFound(customer_id)
        if status == 409 and error:
            raise OperationRefused(str(error), max_amount=body.get("max_amount"))
        if status != 200:
            raise BackendError(f"core system answered {status}: {str(body)[:200]}")
        return body


def _parse(parser: Any, payload: Any) -> Any:
    try:
        return parser(payload)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BackendError(f"unexpected core system answer: {str(payload)[:200]}") from exc
