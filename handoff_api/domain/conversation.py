"""A conversation as every layer sees it: who the customer is, who owns it now, and its handoff."""

from dataclasses import dataclass
from typing import Any

from contract.names import CustomerTier
from handoff_api.domain.states import ConversationState


@dataclass(frozen=True)
class Conversation:
    id: str
    customer_id: str
    tier: CustomerTier
    state: ConversationState
    group: str | None
    agent: str | None
    enqueued_at: float | None
    deadline: float | None
    packet: dict[str, Any] | None
    note: str | None = None
    # Set while the bot answers a customer message (gateway.py): a handoff requested inside that turn is
    # not assigned before the bot's reply is stored, so the customer reads "queued" before "agent joined".
    bot_turn_until: float | None = None
    # Rasa could not be told to resume at the last hand-back: the gateway tells it before the next message,
    # or a paused tracker would leave the customer talking to a silent bot.
    rasa_resume_pending: bool = False

    def in_bot_turn(self, now: float) -> bool:
        return self.bot_turn_until is not None and now < self.bot_turn_until
