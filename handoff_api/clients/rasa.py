"""The only code that talks to the Rasa server: its REST channel and its tracker events API."""

import logging
from typing import Any

import httpx
from pydantic import BaseModel, Field, ValidationError

from handoff_api.schemas import Button

logger = logging.getLogger(__name__)


class RasaUnavailable(Exception):
    """Rasa did not answer in time or answered with an error."""


class BotReply(BaseModel):
    text: str = ""
    buttons: list[Button] = Field(default_factory=list)


class RasaClient:
    def __init__(self, http: httpx.AsyncClient, *, token: str) -> None:
        self._http = http
        self._params = {"token": token} if token else {}

    async def send_message(self, conversation_id: str, text: str, metadata: dict[str, Any]) -> list[BotReply]:
        body = {"sender": conversation_id, "message": text, "metadata": metadata}
        try:
            response = await self._http.post("/webhooks/rest/webhook", json=body, params=self._params)
            response.raise_for_status()
            replies = [BotReply.model_validate(item) for item in response.json()]
        except (httpx.HTTPError, ValueError, ValidationError) as exc:
            raise RasaUnavailable(str(exc)) from exc
        return [reply for reply in replies if reply.text or reply.buttons]

    async def _append_event(self, conversation_id: str, event: str) -> None:
        response = await self._http.post(
            f"/conversations/{conversation_id}/tracker/events", json={"event": event}, params=self._params
        )
        response.raise_for_status()

    async def trigger_intent(
        self, conversation_id: str, name: str, entities: dict[str, str]
    ) -> list[BotReply]:
        """Run an external intent; without an output channel Rasa returns the bot's replies in the body."""
        body = {"name": name, "entities": entities}
        try:
            response = await self._http.post(
                f"/conversations/{conversation_id}/trigger_intent", json=body, params=self._params
            )
            response.raise_for_status()
            replies = [BotReply.model_validate(item) for item in response.json().get("messages", [])]
        except (httpx.HTTPError, ValueError, ValidationError, AttributeError) as exc:
            raise RasaUnavailable(str(exc)) from exc
        return [reply for reply in replies if reply.text or reply.buttons]

    async def set_paused(self, conversation_id: str, *, paused: bool) -> bool:
        """Pause or resume the bot; False (and a log line) when Rasa could not be told, since the agent's
        action has already happened."""
        event = "pause" if paused else "resume"
        try:
            await self._append_event(conversation_id, event)
        except httpx.HTTPError as exc:
            logger.warning("rasa %s failed for conversation %s: %s", event, conversation_id, exc)
            return False
        return True
