"""Keyword-only functions over the SQL records."""

from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from handoff_api.conversations import Conversation
from handoff_api.models import ClosedConversation
from handoff_api.states import HandoffOutcome


def record_closed_conversation(
    engine: Engine, *, conversation: Conversation, outcome: HandoffOutcome, wrap_up: str
) -> None:
    packet = conversation.packet or {}
    enqueued_at = conversation.enqueued_at
    row = ClosedConversation(
        conversation_id=conversation.id,
        customer_id=conversation.customer_id,
        tier=conversation.tier.value,
        group=conversation.group or "",
        agent=conversation.agent or "",
        intent=packet.get("intent"),
        reason=packet.get("reason"),
        outcome=outcome.value,
        wrap_up=wrap_up,
        enqueued_at=datetime.fromtimestamp(enqueued_at, UTC) if enqueued_at is not None else None,
        closed_at=datetime.now(UTC),
    )
    with Session(engine) as session, session.begin():
        session.add(row)
