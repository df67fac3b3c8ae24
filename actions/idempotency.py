"""Idempotency keys: what makes a back-end operation safe to repeat when a turn runs again.

The gateway sends a turn again until it has Rasa's answer. Rasa's gateway channel answers a turn it already
answered from its record, but a Rasa process killed after an action ran and before that record was written
leaves the turn to run again on another process. Every operation that changes something outside the tracker
(a card operation, a filed ticket) therefore carries a key derived from the conversation, the customer
message the turn answers and what the operation is: the back-end and the ticket API perform an operation
once per key and answer a repeat with the first result.
"""

from __future__ import annotations

import hashlib

from rasa_sdk import Tracker


def idempotency_key(tracker: Tracker, operation: str) -> str | None:
    """The key of `operation` in the turn answering the tracker's latest customer message; None without a
    message id (nothing to tell a repeat from a new request by)."""
    message_id = (tracker.latest_message or {}).get("message_id")
    if not message_id:
        return None
    return hashlib.sha256(f"{tracker.sender_id}\n{message_id}\n{operation}".encode()).hexdigest()
