"""Client for the handoff service's chat ratings (docs/contract.md, "End of a handoff"): the same record
as the page's star panel, once per resolved handoff."""

from __future__ import annotations

from enum import StrEnum
from typing import Any
from urllib.parse import quote

import aiohttp

from actions.clients.http_session import LazySession
from actions.settings import Settings


class Rated(StrEnum):
    STORED = "stored"  # the rating (or its comment) is on the handoff's record now
    ALREADY = "already"  # the handoff was rated before (on the page, or earlier in the chat)
    NOTHING_TO_RATE = "nothing_to_rate"  # no resolved handoff in this conversation


# The API's 409 details (handoff_api/api/errors.py) and what they mean here.
_REFUSALS = {
    "csat already given for this handoff": Rated.ALREADY,
    "csat comment already given": Rated.ALREADY,
    "no resolved handoff to rate": Rated.NOTHING_TO_RATE,
    "no rating to comment on": Rated.NOTHING_TO_RATE,
}


class CsatError(Exception):
    """The handoff API could not be reached or gave an unusable answer."""


class CsatClient:
    def __init__(self, *, base_url: str, service_token: str, timeout_seconds: float) -> None:
        self._base_url = f"{base_url.rstrip('/')}/api/internal/conversations"
        self._session = LazySession(
            timeout_seconds=timeout_seconds, headers={"X-Service-Token": service_token}
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> CsatClient:
        return cls(
            base_url=settings.handoff_api_url,
            service_token=settings.service_token,
            timeout_seconds=settings.http_timeout_seconds,
        )

    async def rate(self, conversation_id: str, *, score: int, comment: str = "") -> Rated:
        return await self._post(
            f"/{quote(conversation_id, safe='')}/csat", {"score": score, "comment": comment}
        )

    async def comment(self, conversation_id: str, comment: str) -> Rated:
        return await self._post(f"/{quote(conversation_id, safe='')}/csat/comment", {"comment": comment})

    async def _post(self, path: str, body: dict[str, Any]) -> Rated:
        try:
            async with self._session.get().post(self._base_url + path, json=body) as response:
                status, payload = response.status, await response.json(content_type=None)
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise CsatError(f"handoff API unreachable: {exc!r}") from exc
        if status in (200, 201):
            return Rated.STORED
        detail = payload.get("detail") if isinstance(payload, dict) else None
        if status == 409 and detail in _REFUSALS:
            return _REFUSALS[detail]
        raise CsatError(f"handoff API answered {status}: {str(payload)[:200]}")
