"""The only code that talks to the Rasa servers: signed turns to their gateway channel, and their HTTP API.

Requests go through aiohttp: on this hop it costs a fifth of httpx's CPU per request (measured 0.33 against
1.5 ms, client and a loopback server together), and the hop is on every turn's path.

Several Rasa servers may serve one deployment: trackers and locks live in Redis, so any of them can take
any turn. Each turn goes to the server with the fewest turns this process has in flight on it (ties broken by
the conversation's hash). By hash alone, 20 conversations on 2 servers split unevenly often enough that one
server set the pace (measured at 0.83 cores while the other used 0.22). When a server fails, the turn moves on
to the next one.
"""

import json
import logging
import time
import zlib
from collections.abc import Sequence
from typing import Any, TypeVar

import aiohttp
from pydantic import BaseModel, Field, ValidationError

from contract.identity import PARSE_PURPOSE, SIGNATURE_HEADER, TURN_PURPOSE, Turn, sign_turn
from handoff_api.schemas import BotReading, Button

logger = logging.getLogger(__name__)

# A server that failed is tried last for this long, so every turn does not wait on it first.
_FAILED_SERVER_BACKOFF_SECONDS = 5.0
_GATEWAY_WEBHOOK = "/webhooks/gateway/webhook"
_GATEWAY_PARSE = "/webhooks/gateway/parse"
# What a request to a server that is down, restarting or too slow raises.
_TRANSPORT_ERRORS = (aiohttp.ClientError, TimeoutError)


class RasaUnavailable(Exception):
    """No Rasa server answered in time, or they answered with a server error: the turn is retried."""


class RasaRefused(Exception):
    """A Rasa server refused the request itself (a 4xx): retrying the same request cannot help."""


class BotReply(BaseModel):
    text: str = ""
    buttons: list[Button] = Field(default_factory=list)


class BotAnswer(BaseModel):
    """The channel's answer to a turn: its replies, and the reading of the message (none for payloads)."""

    replies: list[BotReply]
    reading: BotReading | None = None

    def shown(self) -> list[BotReply]:
        return [reply for reply in self.replies if reply.text or reply.buttons]


_Model = TypeVar("_Model", bound=BaseModel)


def _validated(model: type[_Model], body: Any) -> _Model:
    try:
        return model.model_validate(body)
    except ValidationError as exc:
        raise RasaRefused(f"a Rasa server answered an unreadable body: {exc}") from exc


class RasaClient:
    def __init__(
        self,
        http: aiohttp.ClientSession,
        *,
        urls: Sequence[str],
        token: str,
        gateway_secret: str,
        turn_timeout_seconds: float,
    ) -> None:
        if not urls:
            raise ValueError("at least one Rasa server URL is needed")
        self._http = http
        self._urls = [url.rstrip("/") for url in urls]
        self._params = {"token": token} if token else {}
        self._secret = gateway_secret
        self._turn_timeout = aiohttp.ClientTimeout(total=turn_timeout_seconds)
        self._failed_until: dict[str, float] = {}
        self._in_flight = dict.fromkeys(self._urls, 0)

    def servers_for(self, conversation_id: str) -> list[str]:
        """Every server, the least busy first, the ones that failed lately last."""
        start = zlib.crc32(conversation_id.encode()) % len(self._urls)
        ordered = self._urls[start:] + self._urls[:start]
        now = time.monotonic()
        return sorted(ordered, key=lambda url: (self._failed_until.get(url, 0.0) > now, self._in_flight[url]))

    def any_server_up(self) -> bool:
        """False while every server failed lately: the caller sends one turn at a time, as a probe."""
        now = time.monotonic()
        return any(self._failed_until.get(url, 0.0) <= now for url in self._urls)

    def _failed(self, url: str, error: Exception) -> None:
        logger.warning("rasa server %s failed: %s", url, error)
        self._failed_until[url] = time.monotonic() + _FAILED_SERVER_BACKOFF_SECONDS

    async def send_turn(self, turn: Turn) -> BotAnswer:
        """Run one turn on the first server that answers. The channel answers a repeated message id with the
        replies it already gave, so a turn whose answer was lost in transit is safe to send again."""
        return _validated(BotAnswer, await self._signed_post(_GATEWAY_WEBHOOK, turn, TURN_PURPOSE))

    async def parse(self, turn: Turn) -> BotReading:
        """The bot's reading of a message, without running the dialogue (the agent owns the conversation)."""
        return _validated(BotReading, await self._signed_post(_GATEWAY_PARSE, turn, PARSE_PURPOSE))

    async def _signed_post(self, path: str, turn: Turn, purpose: bytes) -> Any:
        body, signature = sign_turn(turn, self._secret, purpose=purpose)
        headers = {SIGNATURE_HEADER: signature, "Content-Type": "application/json"}
        for url in self.servers_for(turn.conversation_id):
            self._in_flight[url] += 1
            try:
                async with self._http.post(
                    url + path, data=body, headers=headers, timeout=self._turn_timeout
                ) as response:
                    status, raw = response.status, await response.read()
            except _TRANSPORT_ERRORS as exc:
                self._failed(url, exc)
                continue
            finally:
                self._in_flight[url] -= 1
            self._failed_until.pop(url, None)
            if status >= 500:
                self._failed(url, RasaUnavailable(f"status {status}"))
                continue
            if status >= 400:
                raise RasaRefused(f"{url} answered {status}")
            try:
                return json.loads(raw)
            except ValueError as exc:
                raise RasaRefused(f"{url} answered an unreadable body: {exc}") from exc
        raise RasaUnavailable("no Rasa server answered")

    async def _append_event(self, conversation_id: str, event: str) -> None:
        error: Exception = RasaUnavailable("no Rasa server")
        for url in self.servers_for(conversation_id):
            try:
                async with self._http.post(
                    f"{url}/conversations/{conversation_id}/tracker/events",
                    json={"event": event},
                    params=self._params,
                ) as response:
                    response.raise_for_status()
                self._failed_until.pop(url, None)
                return
            except _TRANSPORT_ERRORS as exc:
                self._failed(url, exc)
                error = exc
        raise RasaUnavailable(str(error))

    async def set_paused(self, conversation_id: str, *, paused: bool) -> bool:
        """Pause or resume the bot; False (and a log line) when Rasa could not be told, since the agent's
        action has already happened."""
        event = "pause" if paused else "resume"
        try:
            await self._append_event(conversation_id, event)
        except RasaUnavailable as exc:
            logger.warning("rasa %s failed for conversation %s: %s", event, conversation_id, exc)
            return False
        return True
