"""A lean HTTP/1.1 keep-alive client for load generation.

httpx spends about 2 ms of CPU per request on this machine: with client and server sharing two cores, a
burst driven by it measures the client. This client writes pre-encoded requests on raw asyncio streams and
reads only the status line, the headers and a Content-Length body, which is all the benchmarked servers
(uvicorn) send. It is not a general HTTP client: no chunked bodies, redirects or TLS.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> object:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def __aenter__(self) -> Connection:
        self._reader, self._writer = await asyncio.open_connection(self.host, self.port)
        return self

    async def __aexit__(self, *_: object) -> None:
        if self._writer is not None:
            self._writer.close()
            await self._writer.wait_closed()

    def encode_post(self, path: str, payload: object, headers: dict[str, str] | None = None) -> bytes:
        """`payload` as JSON, or as it is when it is bytes already (a signed body)."""
        body = payload if isinstance(payload, bytes) else json.dumps(payload, ensure_ascii=False).encode()
        lines = [
            f"POST {path} HTTP/1.1",
            f"Host: {self.host}:{self.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(body)}",
            *(f"{name}: {value}" for name, value in (headers or {}).items()),
        ]
        return "\r\n".join(lines).encode() + b"\r\n\r\n" + body

    async def send(self, request: bytes) -> Reply:
        assert self._reader is not None and self._writer is not None, "use the connection as a context"
        self._writer.write(request)
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        length = None
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        if length is None:
            raise RuntimeError(f"no Content-Length in a reply from {self.host}:{self.port}: {status_line}")
        body = await self._reader.readexactly(length)
        return Reply(status=int(status_line.split(" ", 2)[1]), body=body)
