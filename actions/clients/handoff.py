"""Client for the handoff service's internal API (docs/contract.md, "Handoff request")."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

from actions.clients.http_session import LazySession
from actions.settings import Settings
from contract.names import HandoffStatus


@dataclass(frozen=True)
class TranscriptLine:
    role: str  # customer | bot
    text: str  # already masked


@dataclass(frozen=True)
class HandoffRequest:
    conversation_id: str
    customer_id: str | None
    tier: str | None
    intent: str | None
    reason: str
    slots: dict[str, Any] = field(default_factory=dict)
    verified: bool = False
    transcript: list[TranscriptLine] = field(default_factory=list)


@dataclass(frozen=True)
class HandoffResult:
    status: HandoffStatus
    group: str | None
    position: int | None
    estimated_wait_seconds: int | None
    # What the customer reads: a figure, a range, or "请您稍等片刻" when no figure is honest.
    estimated_wait_text: str | None = None


class HandoffError(Exception):
    """The handoff service could not be reached or gave an unusable answer."""


class HandoffClient:
    def __init__(self, *, base_url: str, service_token: str, timeout_seconds: float) -> None:
        self._url = f"{base_url.rstrip('/')}/api/internal/handoffs"
        self._session = LazySession(
            timeout_seconds=timeout_seconds, headers={"X-Service-Token": service_token}
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> HandoffClient:
        return cls(
            base_url=settings.handoff_api_url,
            service_token=settings.service_token,
            timeout_seconds=settings.http_timeout_seconds,
        )

    async def request_handoff(self, request: HandoffRequest) -> HandoffResult:
        try:
            async with self._session.get().post(self._url, json=asdict(request)) as response:
                if response.status not in (200, 201):
                    body = (await response.text())[:200]
                    raise HandoffError(f"handoff API answered {response.status}: {body}")
                payload = await response.json()
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise HandoffError(f"handoff API unreachable: {exc!r}") from exc
        return _parse_result(payload)


def _parse_result(payload: Any) -> HandoffResult:
    try:
        return HandoffResult(
            status=HandoffStatus(payload["status"]),
            group=payload.get("group"),
            position=payload.get("position"),
            estimated_wait_seconds=payload.get("estimated_wait_seconds"),
            estimated_wait_text=payload.get("estimated_wait_text"),
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise HandoffError(f"unexpected handoff API answer: {payload!r}") from exc
