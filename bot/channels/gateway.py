"""The only way into the bot: the handoff API's signed turns (contract/identity.py).

Rasa's REST channel answers anyone who reaches its port and believes the customer id and tier in the
caller's metadata. This channel refuses any request the gateway did not sign, and hands Rasa the identity
exactly as the gateway signed it, for the actions to check again.

It also makes a turn safe to retry. The gateway retries a turn whose answer it did not get (Rasa slow,
restarted, or one of several Rasa processes killed), always with the same message id. Under the
conversation's lock, a message id already answered returns the recorded replies instead of running the turn
again, so a retry never repeats a card operation or a reply (bot/answered_turns.py).

Each answer carries the bot's reading of the message (bot/reading.py), from the one parse the turn makes;
`/parse` reads a message without running the dialogue, for messages that arrive while an agent owns the
conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot import rasa_speedups
from bot.answered_turns import AnsweredTurns
from bot.endpoint_sessions import close_kept_sessions
from bot.memory import return_freed_memory
from bot.reading import reading_of
from contract.demo_secrets import refuse_public_secrets
from contract.flags import is_on
from contract.identity import PARSE_PURPOSE, SIGNATURE_HEADER, InvalidSignature, Turn, verify_turn

logger = logging.getLogger(__name__)

# The secrets Rasa holds (setting name: credentials.yml key), checked at start-up.
_SECRETS = {"GATEWAY_SECRET": "secret", "RASA_TOKEN": "rasa_token"}


def plain_text(text: str) -> str:
    """Text that Rasa will not read as an intent payload ("/intent{...}").

    Rasa treats any message starting with "/" as a payload, after our normaliser ran, so full-width slashes
    count too. Only button payloads the bot offered may skip the NLU; anything else loses its leading slashes.
    """
    from bot.normalization import normalize

    while text and normalize(text).text.lstrip().startswith("/"):
        text = text.lstrip()[1:]
    return text


class GatewayInput(InputChannel):
    """credentials.yml: `bot.channels.gateway.GatewayInput: {secret, rasa_token, demo_mode, redis_url,
    key_prefix}`. Rasa creates its channels before it loads the model, so public secrets stop it at once."""

    def __init__(self, *, secret: str, answered: AnsweredTurns) -> None:
        if not secret:
            raise ValueError("the gateway channel needs its secret (GATEWAY_SECRET)")
        self._secret = secret
        self._answered = answered

    @classmethod
    def name(cls) -> str:
        return "gateway"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> GatewayInput:
        credentials = credentials or {}
        secrets = {name: str(credentials.get(key) or "") for name, key in _SECRETS.items()}
        demo_mode = is_on(credentials.get("demo_mode"))
        refuse_public_secrets("Rasa's gateway channel", secrets, demo_mode=demo_mode)
        # Created once per Rasa server, before any turn: the place to spare its turns repeated work.
        rasa_speedups.install()
        answered = AnsweredTurns(str(credentials["redis_url"]), str(credentials.get("key_prefix") or "rasa"))
        return cls(secret=str(credentials.get("secret") or ""), answered=answered)

    def _message(self, turn: Turn, output: CollectingOutputChannel | None = None) -> UserMessage:
        return UserMessage(
            turn.text if turn.is_payload else plain_text(turn.text),
            output or CollectingOutputChannel(),
            turn.conversation_id,
            input_channel=self.name(),
            message_id=turn.message_id,
            metadata={"identity": turn.identity},
        )

    async def answer(self, agent: Any, turn: Turn) -> dict[str, Any]:
        """{"replies", "reading"}: the turn run once, under the conversation's lock, or the answer it got."""
        async with agent.lock_store.lock(turn.conversation_id):
            answered = self._answered.answer_to(turn)
            if answered is not None:
                logger.info("turn %s of %s answered before; replaying", turn.message_id, turn.conversation_id)
                return answered
            collector = CollectingOutputChannel()
            message = self._message(turn, collector)
            # Parsed here rather than inside the processor, so the reading comes from the very parse the
            # dialogue uses (a message with parse_data is not parsed again). A button payload is no reading.
            message.parse_data = await agent.processor.parse_message(message)
            reading = None if turn.is_payload else reading_of(message.parse_data)

            def answer() -> dict[str, Any]:
                return {"replies": collector.messages, "reading": reading}

            with self._answered.recording(turn, answer):
                # The processor, not agent.handle_message: that one takes the lock this turn already holds.
                await agent.processor.handle_message(message)
            return answer()

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("gateway_webhook", __name__)

        @webhook.listener("after_server_start")
        async def after_model_load(_app: Any, _loop: Any) -> None:
            # Rasa loads the model before the server starts: what loading freed is free for good now.
            return_freed_memory()

        @webhook.listener("after_server_stop")
        async def close_sessions(_app: Any, _loop: Any) -> None:
            await close_kept_sessions()

        @webhook.route("/", methods=["GET"])
        async def health(_request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                turn = verify_turn(request.body, request.headers.get(SIGNATURE_HEADER), self._secret)
            except InvalidSignature as exc:
                logger.warning("refused an unsigned or badly signed turn: %s", exc)
                return response.json({"detail": "invalid signature"}, status=401)
            agent = request.app.ctx.agent
            if not agent.is_ready():  # still loading its model: the gateway retries later
                return response.json({"detail": "bot not ready"}, status=503)
            return response.json(await self.answer(agent, turn))

        @webhook.route("/parse", methods=["POST"])
        async def parse(request: Request) -> HTTPResponse:
            try:
                turn = verify_turn(
                    request.body, request.headers.get(SIGNATURE_HEADER), self._secret, purpose=PARSE_PURPOSE
                )
            except InvalidSignature as exc:
                logger.warning("refused an unsigned or badly signed parse: %s", exc)
                return response.json({"detail": "invalid signature"}, status=401)
            agent = request.app.ctx.agent
            if not agent.is_ready():
                return response.json({"detail": "bot not ready"}, status=503)
            return response.json(reading_of(await agent.processor.parse_message(self._message(turn))))

        return webhook
