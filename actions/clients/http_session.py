"""One aiohttp session per HTTP client for the life of the action server, instead of one per call.

A session is opened on first use, inside the running event loop (aiohttp ties it to that loop), so a
client can be built anywhere; the action server closes every session when it stops (actions/server.py).
"""

from __future__ import annotations

from collections.abc import Mapping

import aiohttp

_open_sessions: set[LazySession] = set()


class LazySession:
    def __init__(self, *, timeout_seconds: float, headers: Mapping[str, str] | None = None) -> None:
        self._timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._headers = dict(headers or {})
        self._session: aiohttp.ClientSession | None = None

    def get(self) -> aiohttp.ClientSession:
        """The open session, opened now if there is none; call it inside the running loop."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self._timeout, headers=self._headers)
            _open_sessions.add(self)
        return self._session

    async def close(self) -> None:
        _open_sessions.discard(self)
        if self._session is not None:
            await self._session.close()
            self._session = None


async def close_all_sessions() -> None:
    for session in list(_open_sessions):
        await session.close()
