"""Who the bot is talking to, from the metadata the handoff API sends with every message."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker


@dataclass(frozen=True)
class CustomerContext:
    conversation_id: str
    customer_id: str | None
    tier: str | None


def _latest_metadata(tracker: Tracker) -> dict[str, Any]:
    metadata = (tracker.latest_message or {}).get("metadata") or {}
    if metadata.get("customer_id"):
        return metadata
    # A message sent without metadata (e.g. through the Rasa shell) still belongs to the same customer.
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("metadata") or {}).get("customer_id"):
            return event["metadata"]
    return metadata


def customer_context(tracker: Tracker) -> CustomerContext:
    metadata = _latest_metadata(tracker)
    return CustomerContext(
        conversation_id=metadata.get("conversation_id") or tracker.sender_id,
        customer_id=metadata.get("customer_id"),
        tier=metadata.get("tier"),
    )
