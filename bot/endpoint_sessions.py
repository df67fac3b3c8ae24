"""One kept HTTP session per endpoint instead of Rasa 3.6's new session, and new connection, per request.

`EndpointConfig.request` opens `async with self.session()`: it created an aiohttp session, connected, sent the
request and closed it again, so every custom action call paid for a TCP connection and a session on both
sides. `kept_session` hands `request` the endpoint's one session, in a wrapper whose exit leaves it open.

- Its connections are dropped after IDLE_SECONDS unused, under the action server's keep-alive (Sanic's 5 s),
  so a request never goes out on a connection the server is closing at that moment.
- The request body is written with ujson (Rasa's own pin): the tracker that goes with each custom action call
  was serialised with the standard library's encoder, a twentieth of a turn's CPU.
- A session belongs to the event loop it was made in; in another loop (a second server, a test) the endpoint
  gets a new one.
"""

from __future__ import annotations

import asyncio
import weakref
from types import TracebackType

import aiohttp
import ujson
from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

IDLE_SECONDS = 2.0
# Every kept session and the loop it belongs to.
_OPEN: weakref.WeakKeyDictionary[aiohttp.ClientSession, asyncio.AbstractEventLoop] = (
    weakref.WeakKeyDictionary()
)


class _Kept:
    """`async with` gives the session and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self._session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self._session

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        return None


def _new_session(endpoint: EndpointConfig, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
    """As Rasa's EndpointConfig.session makes it, with the connection pool and the encoder above."""
    auth = None
    if endpoint.basic_auth:
        auth = aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
    session = aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_SECONDS),
        json_serialize=lambda body: ujson.dumps(body, ensure_ascii=False, escape_forward_slashes=False),
    )
    _OPEN[session] = loop
    return session


def kept_session(endpoint: EndpointConfig) -> _Kept:
    """Replaces EndpointConfig.session (bot.rasa_speedups)."""
    loop = asyncio.get_running_loop()
    kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = getattr(endpoint, "_kept", None)
    if kept is None or kept[0] is not loop or kept[1].closed:
        kept = (loop, _new_session(endpoint, loop))
        endpoint._kept = kept  # type: ignore[attr-defined]
    return _Kept(kept[1])


async def close_kept_sessions() -> None:
    """At the server's stop: the sessions of this loop are closed, so none is reported unclosed at exit."""
    loop = asyncio.get_running_loop()
    for session, session_loop in list(_OPEN.items()):
        if session_loop is loop and not session.closed:
            await session.close()
